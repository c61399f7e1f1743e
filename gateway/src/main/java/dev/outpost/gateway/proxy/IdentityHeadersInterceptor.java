package dev.outpost.gateway.proxy;

import dev.outpost.gateway.auth.Identity;
import dev.outpost.gateway.route.MatchedRoute;
import dev.outpost.spec.model.Route;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Sets the identity headers the integration trusts ({@code X-Outpost-Subject}, {@code
 * -Scopes}, {@code -Project}, {@code -Route}, {@code -Integration}) and the upstream request
 * target: the normalised path (minus the prefix with {@code stripPrefix}) and the query unchanged.
 */
final class IdentityHeadersInterceptor implements ProxyInterceptor {

  private final MatchedRoute matched;
  private final Identity identity;
  private final Upstream upstream;

  IdentityHeadersInterceptor(MatchedRoute matched, Identity identity, Upstream upstream) {
    this.matched = matched;
    this.identity = identity;
    this.upstream = upstream;
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
      headers.set("X-Outpost-Subject", identity.subject());
      headers.set("X-Outpost-Scopes", String.join(" ", identity.scopes()));
    }
    String query = context.request().proxiedRequest().query();
    context.request().setURI(query == null ? matched.upstreamPath() : matched.upstreamPath() + "?" + query);
    context.request().setAuthority(io.vertx.core.net.HostAndPort.create(upstream.host(), upstream.port()));
    return context.sendRequest();
  }
}
