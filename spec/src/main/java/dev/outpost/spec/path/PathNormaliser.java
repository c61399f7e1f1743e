package dev.outpost.spec.path;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a raw request path into the one canonical form that routes are matched on and that the
 * upstream receives, so that the gateway and the integration can never read a path differently.
 *
 * <p>Policy:
 * <ul>
 *   <li>percent-escapes are decoded, then the path is re-encoded canonically (RFC 3986 {@code
 *       pchar}s kept, everything else as upper-case {@code %XX} of its UTF-8 bytes);
 *   <li>refused (400): {@code %2F} and {@code %5C} (an encoded slash or backslash would be one
 *       segment here and two in many upstreams), a raw backslash, NUL and other control characters
 *       raw or encoded, malformed escapes, and bytes that are not shortest-form UTF-8 (overlong
 *       encodings such as {@code %C0%AF});
 *   <li>{@code .} and {@code ..} segments are resolved after decoding (so {@code %2e%2e} is {@code
 *       ..}); a {@code ..} that would climb above the root is refused rather than clamped;
 *   <li>refused (400): a segment that is {@code .} or {@code ..} followed by {@code ;}, after
 *       decoding ({@code ..;}, {@code ..;jsessionid=1}, {@code %2e%2e;}, {@code ..%3B}). Servlet
 *       containers (Tomcat, Jetty) drop {@code ;} path parameters before resolving dot segments, so
 *       {@code /x/..;/y}, matched here under {@code /x}, would reach {@code /y} there (Spring's {@code
 *       StrictHttpFirewall} refuses these too);
 *   <li>empty segments ({@code //}) are removed; a trailing slash is kept.
 * </ul>
 */
public final class PathNormaliser {

  private static final boolean[] PCHAR = new boolean[128];

  static {
    String allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@";
    for (char c : allowed.toCharArray()) {
      PCHAR[c] = true;
    }
  }

  private PathNormaliser() {}

  /**
   * Normalises {@code rawPath} (the request target without its query).
   *
   * @return the canonical path, starting with {@code /}
   * @throws BadPathException when the path breaks the policy above; its message says why
   */
  public static String normalise(String rawPath) {
    if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw new BadPathException("the request path must start with '/'");
    }
    List<String> segments = new ArrayList<>();
    boolean trailingSlash = false;
    int start = 1;
    while (start <= rawPath.length()) {
      int end = rawPath.indexOf('/', start);
      if (end < 0) {
        end = rawPath.length();
      }
      String segment = decode(rawPath, start, end);
      if (isDotWithParameters(segment)) {
        throw new BadPathException("the path " + rawPath + " has a segment '.' or '..' followed by ';', which servlet"
            + " containers read as '.' or '..'");
      }
      trailingSlash = end == rawPath.length() ? segment.isEmpty() || isDot(segment) : false;
      if (segment.equals("..")) {
        if (segments.isEmpty()) {
          throw new BadPathException("the path climbs above the root with '..'");
        }
        segments.remove(segments.size() - 1);
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        segments.add(segment);
      }
      start = end + 1;
    }
    StringBuilder out = new StringBuilder(rawPath.length() + 8);
    for (String segment : segments) {
      out.append('/');
      encode(segment, out);
    }
    if (segments.isEmpty() || trailingSlash) {
      out.append('/');
    }
    return out.toString();
  }

  /**
   * One raw segment (no {@code /}) decoded as {@link #normalise} reads it: {@code .%2e} is {@code ..}.
   *
   * @throws BadPathException when the segment breaks the policy above
   */
  public static String decodeSegment(String rawSegment) {
    if (rawSegment.indexOf('/') >= 0) {
      throw new IllegalArgumentException("a segment has no '/'");
    }
    return decode(rawSegment, 0, rawSegment.length());
  }

  /** {@code .;...} or {@code ..;...}: a dot segment to any upstream that strips {@code ;} parameters. */
  private static boolean isDotWithParameters(String segment) {
    int semicolon = segment.indexOf(';');
    return semicolon > 0 && semicolon <= 2 && segment.charAt(0) == '.' && segment.charAt(semicolon - 1) == '.';
  }

  private static boolean isDot(String segment) {
    return segment.equals(".") || segment.equals("..");
  }

  private static String decode(String raw, int from, int to) {
    boolean plain = true;
    for (int i = from; i < to; i++) {
      char c = raw.charAt(i);
      if (c == '%' || c >= 0x80) {
        plain = false;
      }
      checkChar(c);
    }
    if (plain) {
      return raw.substring(from, to);
    }
    ByteBuffer bytes = ByteBuffer.allocate((to - from) * 4);
    for (int i = from; i < to; i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= to) {
          throw new BadPathException("malformed percent-escape in the path");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new BadPathException("malformed percent-escape in the path");
        }
        int b = (hi << 4) | lo;
        if (b == '/' || b == '\\') {
          throw new BadPathException("encoded '/' or '\\' (%2F, %5C) is not accepted in paths");
        }
        if (b < 0x80) {
          checkChar((char) b);
        }
        bytes.put((byte) b);
        i += 2;
      } else {
        bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    bytes.flip();
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = decoder.decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new BadPathException("the path is not valid UTF-8 (overlong or malformed bytes)");
    }
  }

  private static void checkChar(char c) {
    if (c < 0x20 || c == 0x7f) {
      throw new BadPathException("control characters are not accepted in paths");
    }
    if (c == '\\') {
      throw new BadPathException("'\\' is not accepted in paths");
    }
  }

  private static void encode(String segment, StringBuilder out) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < 128 && PCHAR[c]) {
        out.append(c);
      } else {
        int cp = segment.codePointAt(i);
        if (Character.isSupplementaryCodePoint(cp)) {
          i++;
        }
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
              .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
        }
      }
    }
  }
}
