package dev.outpost.controlplane.state;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A request body as text. JSON and the YAML the API takes are UTF-8: read leniently, a Latin-1 file
 * was kept with U+FFFD in place of each accented letter, and a UTF-16 one was refused as "special
 * characters". A UTF-8 byte order mark, which editors on Windows write, is no part of the document
 * (Jackson refused it in JSON); one of UTF-16 or UTF-32 names that encoding.
 */
final class BodyText {
  private static final byte[][] UTF_32_MARKS = {{0, 0, (byte) 0xFE, (byte) 0xFF}, {(byte) 0xFF, (byte) 0xFE, 0, 0}};
  private static final byte[][] UTF_16_MARKS = {{(byte) 0xFE, (byte) 0xFF}, {(byte) 0xFF, (byte) 0xFE}};
  private static final byte[] UTF_8_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private BodyText() {}

  /** A body that is not UTF-8 text; the message says why, as a problem of {@code body}. */
  static final class NotUtf8Exception extends Exception {
    NotUtf8Exception(String message) {
      super(message, null, false, false);
    }
  }

  /** {@code body} decoded as UTF-8, without a byte order mark. */
  static String decode(byte[] body) throws NotUtf8Exception {
    // UTF-32LE's mark starts with UTF-16LE's: the longer is looked for first
    if (startsWithAny(body, UTF_32_MARKS)) {
      throw new NotUtf8Exception("body: UTF-32 text; send UTF-8");
    }
    if (startsWithAny(body, UTF_16_MARKS)) {
      throw new NotUtf8Exception("body: UTF-16 text; send UTF-8");
    }
    int start = startsWith(body, UTF_8_MARK) ? UTF_8_MARK.length : 0;
    int bad = firstMalformedByte(body, start);
    if (bad >= 0) {
      throw new NotUtf8Exception("body: not UTF-8 text (byte " + (bad + 1) + ")");
    }
    return new String(body, start, body.length - start, StandardCharsets.UTF_8);
  }

  /** The offset of the first byte that does not begin or continue a UTF-8 character, or -1. */
  private static int firstMalformedByte(byte[] body, int start) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
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
