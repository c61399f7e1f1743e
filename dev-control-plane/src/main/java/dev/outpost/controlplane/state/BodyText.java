package dev.outpost.controlplane.state;

import dev.outpost.spec.json.Quoted;
import jakarta.ws.rs.core.MediaType;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Arrays;
import java.util.Map;

/**
 * A request body as text, in the charset its Content-Type names (RESTEasy honoured it when bodies were
 * Strings: a Latin-1 file declared so was read right), else in UTF-8, which JSON and the YAML the API
 * takes are; JSON's callers decode in UTF-8 whatever is named (RFC 8259 section 11). Either is read strictly: read leniently, a Latin-1 file sent without a charset was kept
 * with U+FFFD in place of each accented letter, and a UTF-16 one was refused as "special characters".
 * A byte order mark, which editors on Windows write, is no part of the document (Jackson refused it in
 * JSON); without a charset, one of UTF-16 or UTF-32 names that encoding.
 */
final class BodyText {
  private static final byte[][] UTF_32_MARKS = {{0, 0, (byte) 0xFE, (byte) 0xFF}, {(byte) 0xFF, (byte) 0xFE, 0, 0}};
  private static final byte[][] UTF_16_MARKS = {{(byte) 0xFE, (byte) 0xFF}, {(byte) 0xFF, (byte) 0xFE}};
  private static final byte[] UTF_8_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final char BYTE_ORDER_MARK = '\uFEFF';

  private BodyText() {}

  /** A body that is not text in its charset; the message says why, as a problem of {@code body}. */
  static final class NotTextException extends Exception {
    NotTextException(String message) {
      super(message, null, false, false);
    }
  }

  /** A Content-Type whose charset Java cannot decode; the message names it, as a problem of {@code Content-Type}. */
  static final class UnknownCharsetException extends Exception {
    UnknownCharsetException(String message) {
      super(message, null, false, false);
    }
  }

  /** The charset {@code contentType} names, UTF-8 when it names none. */
  static Charset charset(String contentType) throws UnknownCharsetException {
    if (contentType == null) {
      return StandardCharsets.UTF_8;
    }
    // parameter names are case-insensitive (RFC 9110 section 5.6.6)
    for (Map.Entry<String, String> parameter : MediaType.valueOf(contentType).getParameters().entrySet()) {
      if (parameter.getKey().equalsIgnoreCase(MediaType.CHARSET_PARAMETER)) {
        try {
          return Charset.forName(parameter.getValue());
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
          throw new UnknownCharsetException("Content-Type: charset " + Quoted.of(parameter.getValue())
              + " is not one the control plane reads (UTF-8 is)");
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  /** {@code body} decoded in {@code charset}, without a byte order mark. */
  static String decode(byte[] body, Charset charset) throws NotTextException {
    if (!charset.equals(StandardCharsets.UTF_8)) {
      checkText(body, 0, charset);
      String text = new String(body, charset);
      return !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? text.substring(1) : text;
    }
    // UTF-32LE's mark starts with UTF-16LE's: the longer is looked for first
    if (startsWithAny(body, UTF_32_MARKS)) {
      throw new NotTextException("body: UTF-32 text; send UTF-8");
    }
    if (startsWithAny(body, UTF_16_MARKS)) {
      throw new NotTextException("body: UTF-16 text; send UTF-8");
    }
    int start = startsWith(body, UTF_8_MARK) ? UTF_8_MARK.length : 0;
    checkText(body, start, charset);
    return new String(body, start, body.length - start, charset);
  }

  /** Refuses {@code body} from {@code start} unless every byte begins or continues a character of {@code charset}. */
  private static void checkText(byte[] body, int start, Charset charset) throws NotTextException {
    int bad = firstMalformedByte(body, start, charset);
    if (bad >= 0) {
      throw new NotTextException("body: not " + charset.name() + " text (byte " + (bad + 1) + ")");
    }
  }

  /** The offset of the first byte that does not begin or continue a character, or -1. */
  private static int firstMalformedByte(byte[] body, int start, Charset charset) {
    CharsetDecoder decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body, start, body.length - start);
    // checked a window at a time: the text itself is made once, by new String
    CharBuffer window = CharBuffer.allocate(8192);
    while (true) {
      CoderResult result = decoder.decode(in, window, true);
      if (result.isError()) {
        return in.position();
      }
      if (result.isUnderflow()) {
        result = decoder.flush(window.clear());
        return result.isError() ? in.position() : -1;
      }
      window.clear();
    }
  }

  private static boolean startsWithAny(byte[] body, byte[][] marks) {
    return Arrays.stream(marks).anyMatch(mark -> startsWith(body, mark));
  }

  private static boolean startsWith(byte[] body, byte[] mark) {
    return body.length >= mark.length && Arrays.equals(body, 0, mark.length, mark, 0, mark.length);
  }
}
