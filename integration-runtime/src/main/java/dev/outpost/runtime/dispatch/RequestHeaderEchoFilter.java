package dev.outpost.runtime.dispatch;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps request-only headers out of an integration's response.
 *
 * <p>Camel's platform-http writes every message header it does not filter into the response, and a
 * message starts with the request's headers: without this, a client would get back the identity
 * headers the gateway set ({@code X-Outpost-Subject}, …), the forwarding headers, its own
 * credentials and trace context. None of these names ever belongs in a response.
 */
final class RequestHeaderEchoFilter {

  private static final List<String> PREFIXES = List.of("x-outpost-", "x-forwarded-");
  private static final Set<String> NAMES = Set.of("forwarded", "authorization", "proxy-authorization",
      "cookie", "host", "traceparent", "tracestate", "baggage", "user-agent", "accept", "accept-encoding",
      "accept-language", "x-api-key", "expect", "te", "upgrade", "origin", "referer");

  private static final String CONTENT_ENCODING = "content-encoding";

  private RequestHeaderEchoFilter() {}

  /**
   * Removes the request-only headers from {@code responseHeaders}, and a {@code Content-Encoding}
   * that is the request's own: it described the request's body, and echoed it tells the client to
   * decode a response body that is not encoded.
   */
  static void strip(MultiMap responseHeaders, MultiMap requestHeaders) {
    List<String> names = responseHeaders.names().stream().filter(RequestHeaderEchoFilter::requestOnly).toList();
    names.forEach(responseHeaders::remove);
    String encoding = requestHeaders.get(CONTENT_ENCODING);
    if (encoding != null && encoding.equalsIgnoreCase(responseHeaders.get(CONTENT_ENCODING))) {
      responseHeaders.remove(CONTENT_ENCODING);
    }
  }

  static boolean requestOnly(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return NAMES.contains(lower) || PREFIXES.stream().anyMatch(lower::startsWith);
  }
}
