package dev.outpost.gateway.proxy;

import dev.outpost.gateway.auth.Identity;
import dev.outpost.gateway.route.MatchedRoute;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteAuth;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.nio.charset.StandardCharsets;

/**
 * Sets the identity headers the integration trusts ({@code X-Outpost-Subject}, {@code
 * -Scopes}, {@code -Issuer}, {@code -Project}, {@code -Route}, {@code -Integration}) and the upstream
 * request target: the normalised path (minus the prefix with {@code stripPrefix}, which then goes in
 * {@code X-Forwarded-Prefix}) and the query unchanged. {@code X-Outpost-Issuer} is the token's {@code
 * iss}, on JWT routes only: a subject names one caller within its issuer alone (OIDC Core: {@code iss}
 * and {@code sub} together), and a route may trust several identity providers.
 *
 * <p>{@code X-Outpost-Subject}, each scope of {@code X-Outpost-Scopes} (space-separated) and the issuer are
 * percent-encoded: every UTF-8 byte outside visible ASCII ({@code 0x21-0x7E}), and {@code %}
 * itself, is sent as {@code %XX}. Header values are bytes, not text: sent as they are, characters
 * above U+00FF became {@code ?} (two different subjects arrived equal), Latin-1 ones arrived as
 * non-UTF-8 bytes and edge spaces were trimmed away. ASCII subjects without {@code %} are
 * unchanged, and every value decodes back exactly (decode {@code +} as itself, not as a space).
 */
final class IdentityHeadersInterceptor implements ProxyInterceptor {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final MatchedRoute matched;
  private final Identity identity;

  IdentityHeadersInterceptor(MatchedRoute matched, Identity identity) {
    this.matched = matched;
    this.identity = identity;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    Route route = matched.route().route();
    MultiMap headers = context.request().headers();
    headers.set("X-Outpost-Route", route.id());
    headers.set("X-Outpost-Integration", route.integration());
    if (route.project() != null) {
      headers.set("X-Outpost-Project", route.project());
    }
    if (identity.subject() != null) {
      headers.set("X-Outpost-Subject", percentEncode(identity.subject()));
      headers.set("X-Outpost-Scopes", String.join(" ", identity.scopes().stream().map(IdentityHeadersInterceptor::percentEncode).toList()));
      if (route.auth() != null && route.auth().mode() == RouteAuth.Mode.JWT) {
        headers.set("X-Outpost-Issuer", percentEncode(identity.issuer()));
      }
    }
    String stripped = matched.route().strippedPrefix();
    if (stripped != null) {
      // as Kong and Traefik send it: the integration's own links and redirects then lead back through the route
      headers.set("X-Forwarded-Prefix", stripped);
    }
    String query = matched.query();
    context.request().setURI(query == null ? matched.upstreamPath() : matched.upstreamPath() + "?" + query);
    // Host upstream is the upstream's own authority, the client request's default (nginx's $proxy_host); setting
    // it here would make vertx-http-proxy overwrite X-Forwarded-Host with the request's Host
    return context.sendRequest();
  }

  /** {@code value} with every UTF-8 byte outside {@code 0x21-0x7E}, and {@code %}, as {@code %XX}. */
  static String percentEncode(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c > 0x20 && c < 0x7f && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }
}
