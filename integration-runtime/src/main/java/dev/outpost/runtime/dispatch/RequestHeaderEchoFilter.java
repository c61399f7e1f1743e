package dev.outpost.runtime.dispatch;

import dev.outpost.runtime.secret.SecretRedaction;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /** The gateway's identity and forwarding headers, lower case: never in a response, nor sent on to a backend. */
  static final List<String> PREFIXES = List.of("x-outpost-", "x-forwarded-");
  private static final Set<String> NAMES = Set.of("forwarded", "authorization", "proxy-authorization",
      "cookie", "host", "traceparent", "tracestate", "baggage", "user-agent", "accept", "accept-encoding",
      "accept-language", "x-api-key", "expect", "te", "upgrade", "origin", "referer");

  private static final String CONTENT_ENCODING = "content-encoding";
  /**
   * Headers the server writes itself, never from a secret: a short secret value (four digits) found in
   * a Content-Length would otherwise take the response's framing away.
   */
  private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "content-type", "date",
      "connection");

  private RequestHeaderEchoFilter() {}

  /**
   * Removes from {@code responseHeaders} the request-only headers; a {@code Content-Encoding} that is
   * the request's own (it described the request's body, and echoed it tells the client to decode a
   * response body that is not encoded); a header that is a query parameter or form field echoed
   * (Camel makes message headers of them: {@code ?Set-Cookie=} set a cookie on the API's origin,
   * {@code ?Access-Control-Allow-Origin=} opened CORS); and one holding a secret value (a token a
   * route set for its backend call stays on the message, and came back to the client).
   */
  static void strip(MultiMap responseHeaders, HttpServerRequest request) {
    List<String> names = responseHeaders.names().stream().filter(RequestHeaderEchoFilter::requestOnly).toList();
    names.forEach(responseHeaders::remove);
    String encoding = request.headers().get(CONTENT_ENCODING);
    if (encoding != null && encoding.equalsIgnoreCase(responseHeaders.get(CONTENT_ENCODING))) {
      responseHeaders.remove(CONTENT_ENCODING);
    }
    dropEchoed(responseHeaders, request.params());
    dropEchoed(responseHeaders, request.formAttributes());
    List<String> holdingSecrets = responseHeaders.entries().stream()
        .filter(header -> !FRAMING.contains(header.getKey().toLowerCase(Locale.ROOT))
            && SecretRedaction.holdsSecret(header.getValue()))
        .map(Map.Entry::getKey).distinct().toList();
    holdingSecrets.forEach(responseHeaders::remove);
  }

  /** Removes each response header that has a parameter's name and one of its values. */
  private static void dropEchoed(MultiMap responseHeaders, MultiMap params) {
    if (params.isEmpty()) {
      return;
    }
    for (String name : params.names()) {
      List<String> sent = responseHeaders.getAll(name);
      if (!sent.isEmpty() && params.getAll(name).stream().anyMatch(sent::contains)) {
        responseHeaders.remove(name);
      }
    }
  }

  static boolean requestOnly(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return NAMES.contains(lower) || PREFIXES.stream().anyMatch(lower::startsWith);
  }
}
