package dev.outpost.runtime.dispatch;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * platform-http's filter of the message headers it writes into a response: Camel's HTTP filter, less
 * what a backend's {@code Set-Cookie} said ({@link BackendCookies}), less any header HTTP cannot
 * carry. Camel makes a message header of each query parameter, and Vert.x throws on a name that is
 * not a token or a value with a control character: {@code ?x=%00}, {@code ?a:b=1} or {@code
 * ?x=%0d%0aSet-Cookie:...} made every integration answer 500, with an ERROR and its stack trace in the
 * log for each such request. The route still reads them as headers.
 */
public final class ResponseHeaderFilter extends HttpHeaderFilterStrategy {

  @Override
  public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
    return super.applyFilterToCamelHeaders(name, value, exchange) || !writable(name, value)
        || BackendCookies.fromBackend(name, value, exchange);
  }

  /** A header name that is an RFC 9110 token and a value without control characters (tab aside). */
  static boolean writable(String name, Object value) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c > 0x7e || c <= 0x20 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
        return false;
      }
    }
    String text = String.valueOf(value);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }
}
