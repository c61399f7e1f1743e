package dev.outpost.gateway.route;

import dev.outpost.gateway.Responses;
import dev.outpost.spec.path.BadPathException;
import dev.outpost.spec.path.PathNormaliser;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * First step of the chain: normalises the path ({@link PathNormaliser}, 400 when refused) and
 * finds the most specific route (404 when none). The request body is paused until the proxy step
 * streams it, since the steps in between may wait (JWKS, rate-limit budget).
 */
@Singleton
public class RouteMatchHandler implements Handler<RoutingContext> {

  private final RouteTableHolder holder;

  RouteMatchHandler(RouteTableHolder holder) {
    this.holder = holder;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    request.pause();
    String uri = request.uri(); // origin-form, checked by RequestLineHandler
    int fragment = uri.indexOf('#');
    if (fragment >= 0) {
      // a fragment is the client's own business and never goes upstream
      uri = uri.substring(0, fragment);
    }
    int query = uri.indexOf('?');
    String path;
    try {
      path = PathNormaliser.normalise(query < 0 ? uri : uri.substring(0, query));
    } catch (BadPathException e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    ActiveRoutes table = holder.current();
    CompiledRoute route = null;
    if (request.method() == HttpMethod.OPTIONS && request.getHeader("Origin") != null
        && request.getHeader("Access-Control-Request-Method") != null) {
      // a CORS preflight is matched as the request it announces, so method-restricted routes answer
      // it; but only a route with a CORS policy, whose CORS step answers it itself: else the OPTIONS
      // would be proxied under another route's (maybe anonymous) authentication
      String announcedMethod = request.getHeader("Access-Control-Request-Method").trim();
      CompiledRoute announced = table.match(host(request), announcedMethod, path);
      if (announced != null && announced.route().cors() != null) {
        route = announced;
      } else if (announced != null) {
        CompiledRoute options = table.match(host(request), request.method().name(), path);
        if (options != null && options != announced && options.route().cors() != null) {
          // that route's policy would approve a request the route serving it has no policy for,
          // maybe another project's
          Responses.error(ctx, 403, "CORS: " + announcedMethod + " " + path + " is served by a route without a CORS policy");
          return;
        }
      }
    }
    if (route == null) {
      route = table.match(host(request), request.method().name(), path);
    }
    if (route == null) {
      Responses.error(ctx, 404, "no route matches " + request.method().name() + " " + path);
      return;
    }
    ctx.put(MatchedRoute.KEY, new MatchedRoute(route, table.revision(), path, route.upstreamPath(path),
        query < 0 ? null : uri.substring(query + 1)));
    ctx.next();
  }

  /** The request's host, lower-cased and without the trailing dot of a fully qualified name. */
  private static String host(HttpServerRequest request) {
    HostAndPort authority = request.authority();
    if (authority == null) {
      return null;
    }
    String host = authority.host().toLowerCase(Locale.ROOT);
    return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
  }
}
