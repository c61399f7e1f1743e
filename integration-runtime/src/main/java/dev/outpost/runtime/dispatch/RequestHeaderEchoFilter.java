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

  private RequestHeaderEchoFilter() {}

  /** Removes the request-only headers from {@code responseHeaders}. */
  static void strip(MultiMap responseHeaders) {
    List<String> names = responseHeaders.names().stream().filter(RequestHeaderEchoFilter::requestOnly).toList();
    names.forEach(responseHeaders::remove);
  }

  static boolean requestOnly(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return NAMES.contains(lower) || PREFIXES.stream().anyMatch(lower::startsWith);
  }
}
