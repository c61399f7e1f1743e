package dev.outpost.gateway.client;

import dev.outpost.gateway.HttpDate;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Mends the heads Vert.x, vertx-http-proxy and Quarkus get wrong, at the edge of the connection. In
 * the response: the {@code Date} of a proxied answer, which vertx-http-proxy writes with a one-digit
 * day ({@code Mon, 7 Dec 2026}), not the IMF-fixdate RFC 9110 5.6.7 requires. In a request, before
 * Vert.x reads it (a {@code Host} Vert.x cannot parse is every component's: {@code edge.UnreadableHost}):
 * <ul>
 *   <li>an HTTP version above 1.1 in an HTTP/1 request line ({@code HTTP/1.2}, {@code HTTP/2.0}): Vert.x
 *       serves it as 1.1 but echoed it in the answer's status line; it is 1.1 (RFC 9112 2.3);
 *   <li>characters a URI cannot hold raw in the request target ({@code ?filter={"a":1}}, {@code
 *       x|y}, {@code ^}, a backtick, a {@code %} that starts no escape in the query): Quarkus refused
 *       them with an empty 400 (its check parses every target as a {@code java.net.URI}), where
 *       browsers send some raw, and nginx and Kong take them. They are percent-encoded, which every
 *       server decodes to the same: the path is then checked and normalised as any other, the query
 *       goes upstream in this form. A malformed escape in the path is left, and refused (Quarkus'
 *       empty 400, before the gateway's own path rules);
 *   <li>a {@code Connection} list naming {@code close} among other options ({@code keep-alive, close}):
 *       Vert.x compares the whole value with {@code close}, so it kept the connection open and served a
 *       request pipelined after it. RFC 9112 9.6 makes it the connection's last: a plain {@code close}
 *       is added, which Vert.x reads (the answer says {@code Connection: close}, the connection closes
 *       after it), and the list stays for the proxy, which drops the headers it names.
 * </ul>
 */
final class HttpHeadRepairs {

  /** ASCII a {@code java.net.URI} holds raw in a path: its unreserved and reserved characters. */
  private static final boolean[] RAW_IN_PATH = new boolean[128];
  /** The same in a query, which also holds {@code [ ]} ({@code filters[name]=x}). */
  private static final boolean[] RAW_IN_QUERY = new boolean[128];
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  static {
    String raw = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'();/?:@&=+$,#";
    for (char c : raw.toCharArray()) {
      RAW_IN_PATH[c] = true;
      RAW_IN_QUERY[c] = true;
    }
    RAW_IN_QUERY['['] = true;
    RAW_IN_QUERY[']'] = true;
  }

  private HttpHeadRepairs() {}

  static void request(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0 && "HTTP".equals(version.protocolName())
        && (version.majorVersion() > 1 || (version.majorVersion() == 1 && version.minorVersion() > 1))) {
      request.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    String target = request.uri();
    String encoded = encodeUnsafe(target);
    if (encoded != target) {
      request.setUri(encoded);
    }
    HttpHeaders headers = request.headers();
    // a value that is close alone Vert.x reads itself; a list naming it among others, or after a tab,
    // it does not (its own check takes a prefix of close too, "c"): namesClose decides
    if (headers.get(HttpHeaderNames.CONNECTION) != null
        && !headers.contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
      List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
      if (namesClose(values)) {
        if (version == HttpVersion.HTTP_1_0) {
          // HTTP/1.0 stays open for a value that is keep-alive alone, whatever else is listed
          headers.remove(HttpHeaderNames.CONNECTION);
          values.stream().filter(v -> !v.strip().equalsIgnoreCase("keep-alive"))
              .forEach(v -> headers.add(HttpHeaderNames.CONNECTION, v));
        }
        headers.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
    }
  }

  /** Whether one of the {@code Connection} values lists the option {@code close}, blanks or tabs around it. */
  static boolean namesClose(List<String> connection) {
    for (String value : connection) {
      if (!AsciiString.containsIgnoreCase(value, HttpHeaderValues.CLOSE)) {
        continue; // keep-alive, the usual value: not split
      }
      for (String option : value.split(",")) {
        if (option.strip().equalsIgnoreCase("close")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every final answer leaves dated by the gateway's clock, in the form RFC 9110 requires. */
  static void response(HttpResponse response) {
    response.headers().set(HttpHeaderNames.DATE, HttpDate.now());
  }

  /**
   * {@code target} with the ASCII a URI cannot hold raw percent-encoded; the same instance when it
   * has none. A {@code %} starting an escape stays; one that does not is encoded in the query only
   * ({@code %25}): a malformed escape in the path stays refused. Bytes
   * above 0x7F are left to {@code RequestLineHandler}, which refuses them.
   */
  static String encodeUnsafe(String target) {
    int query = -1;
    int i = 0;
    for (; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c == '?' && query < 0) {
        query = i;
      }
      if (needsEncoding(target, i, c, query >= 0)) {
        break;
      }
    }
    if (i == target.length()) {
      return target;
    }
    StringBuilder out = new StringBuilder(target.length() + 16).append(target, 0, i);
    for (; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c == '?' && query < 0) {
        query = i;
      }
      if (needsEncoding(target, i, c, query >= 0)) {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean needsEncoding(String target, int at, char c, boolean inQuery) {
    if (c >= 0x80) {
      return false;
    }
    if (c == '%') {
      return inQuery && !(at + 2 < target.length() && isHex(target.charAt(at + 1)) && isHex(target.charAt(at + 2)));
    }
    return inQuery ? !RAW_IN_QUERY[c] : !RAW_IN_PATH[c];
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
