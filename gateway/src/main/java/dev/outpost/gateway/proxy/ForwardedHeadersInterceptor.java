package dev.outpost.gateway.proxy;

import dev.outpost.gateway.client.ClientAddress;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Sets {@code X-Forwarded-For/-Proto/-Host} and {@code Forwarded} from what the gateway itself
 * saw: client-sent values (already removed) are never trusted. The client's address and the
 * {@code X-Forwarded-For} chain come from {@link ClientAddress}: the peer, or behind a trusted proxy
 * the address it forwarded for and its chain.
 */
final class ForwardedHeadersInterceptor implements ProxyInterceptor {

  private final String client;
  private final String forwardedFor;

  ForwardedHeadersInterceptor(String client, String forwardedFor) {
    this.client = client;
    this.forwardedFor = forwardedFor;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    HttpServerRequest original = context.request().proxiedRequest();
    MultiMap headers = context.request().headers();
    String proto = original.isSSL() ? "https" : "http";
    HostAndPort authority = original.authority();
    headers.set("X-Forwarded-For", forwardedFor);
    headers.set("X-Forwarded-Proto", proto);
    StringBuilder forwarded = new StringBuilder("for=").append(node(client)).append(";proto=").append(proto);
    if (authority != null) {
      String host = authority.toString();
      headers.set("X-Forwarded-Host", host);
      forwarded.append(";host=\"").append(host.replace("\"", "")).append('"');
    }
    headers.set("Forwarded", forwarded.toString());
    return context.sendRequest();
  }

  /** RFC 7239 node: IPv6 addresses are bracketed and quoted. */
  private static String node(String address) {
    return address.indexOf(':') >= 0 ? "\"[" + address + "]\"" : address;
  }
}
