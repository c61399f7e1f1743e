package dev.outpost.gateway.proxy;

import dev.outpost.gateway.client.ClientAddress;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Sets {@code X-Forwarded-For/-Proto/-Host} and {@code Forwarded} from what the gateway itself
 * saw: client-sent values (already removed) are never trusted. The client's address and the
 * {@code X-Forwarded-For} chain come from {@link ClientAddress}: the peer, or behind a trusted proxy
 * the address it forwarded for and its chain. Behind a trusted proxy the scheme and host are also
 * the proxy's {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} (their first value, the one the
 * client used), as Kong passes them on from its {@code trusted_ips}: an ingress that terminates TLS
 * talks plain HTTP to the gateway, and an integration building its own links needs {@code https}.
 * A value that is not {@code http}/{@code https} or a host[:port] is ignored for the gateway's own.
 * {@code Via} gets {@code 1.1 outpost} appended, as Kong and nginx's {@code proxy_add_via} do.
 */
final class ForwardedHeadersInterceptor implements ProxyInterceptor {

  private static final String VIA_1_1 = "1.1 outpost";
  private static final String VIA_1_0 = "1.0 outpost";

  private final ClientAddress.Forwarding from;

  ForwardedHeadersInterceptor(ClientAddress.Forwarding from) {
    this.from = from;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    HttpServerRequest original = context.request().proxiedRequest();
    MultiMap headers = context.request().headers();
    String proto = from.viaTrustedProxy() ? forwardedProto(original) : null;
    if (proto == null) {
      proto = original.isSSL() ? "https" : "http";
    }
    String host = from.viaTrustedProxy() ? forwardedHost(original) : null;
    if (host == null) {
      HostAndPort authority = original.authority();
      // "host:" (an empty port, which RFC 3986 allows) is port 0 to Vert.x: it named no port
      host = authority == null ? null : authority.port() == 0 ? authority.host() : authority.toString();
    }
    headers.set("X-Forwarded-For", from.chain());
    headers.set("X-Forwarded-Proto", proto);
    StringBuilder forwarded = new StringBuilder("for=").append(node(from.client())).append(";proto=").append(proto);
    if (host != null) {
      headers.set("X-Forwarded-Host", host);
      forwarded.append(";host=\"").append(host.replace("\"", "")).append('"');
    }
    headers.set("Forwarded", forwarded.toString());
    // RFC 9110 7.6.3: a gateway adds itself to every request it forwards, after the proxies before it
    String self = original.version() == HttpVersion.HTTP_1_0 ? VIA_1_0 : VIA_1_1;
    // most requests come without one: no list made on the request path for them
    headers.set("Via", headers.contains("Via") ? String.join(", ", headers.getAll("Via")) + ", " + self : self);
    return context.sendRequest();
  }

  private static String forwardedProto(HttpServerRequest request) {
    String proto = firstValue(request, "X-Forwarded-Proto");
    return "https".equalsIgnoreCase(proto) ? "https" : "http".equalsIgnoreCase(proto) ? "http" : null;
  }

  private static String forwardedHost(HttpServerRequest request) {
    String host = firstValue(request, "X-Forwarded-Host");
    return host != null && HostAndPort.parseAuthority(host, -1) != null ? host : null;
  }

  /** The left-most value of a list header (a proxy that appends puts its own view to the right). */
  private static String firstValue(HttpServerRequest request, String name) {
    String value = request.getHeader(name);
    if (value == null) {
      return null;
    }
    int comma = value.indexOf(',');
    return (comma < 0 ? value : value.substring(0, comma)).trim();
  }

  /** RFC 7239 node: IPv6 addresses are bracketed and quoted. */
  private static String node(String address) {
    return address.indexOf(':') >= 0 ? "\"[" + address + "]\"" : address;
  }
}
