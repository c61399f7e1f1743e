package dev.outpost.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Sets {@code X-Forwarded-For/-Proto/-Host} and {@code Forwarded} from what the gateway itself
 * saw: the gateway is the edge, so client-sent values (already removed) are never trusted.
 */
final class ForwardedHeadersInterceptor implements ProxyInterceptor {

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    HttpServerRequest original = context.request().proxiedRequest();
    MultiMap headers = context.request().headers();
    SocketAddress remote = original.remoteAddress();
    String client = remote == null ? "unknown" : remote.hostAddress();
    String proto = original.isSSL() ? "https" : "http";
    HostAndPort authority = original.authority();
    headers.set("X-Forwarded-For", client);
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
