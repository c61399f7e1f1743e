package dev.outpost.gateway.cors;

import dev.outpost.gateway.Responses;
import dev.outpost.gateway.route.MatchedRoute;
import dev.outpost.gateway.route.RequestLineHandler;
import dev.outpost.spec.model.Cors;
import dev.outpost.spec.model.Route;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;

/**
 * A route's CORS policy, before authentication: preflights are answered here (204 when the
 * origin, method and headers are allowed, 403 otherwise) and never reach the upstream; actual
 * requests from an allowed origin get {@code Access-Control-Allow-Origin} and friends on the way
 * out. On a route with a policy the gateway owns these headers: the upstream's are dropped, and
 * every answer varies by {@code Origin}, one without it too (a shared cache would otherwise serve
 * it, without {@code Access-Control-Allow-Origin}, to a browser that sent one). Routes without a
 * policy send none. {@code allowHeaders: ["*"]} allows any requested header, echoed back (the
 * Fetch standard reads a literal {@code *} as a wildcard only without credentials).
 */
@Singleton
public class CorsHandler implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    Route route = MatchedRoute.of(ctx).route().route();
    Cors cors = route.cors();
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader("Origin");
    if (cors == null) {
      ctx.next();
      return;
    }
    boolean originAllowed = origin != null && (cors.allowOrigins().contains("*") || cors.allowOrigins().contains(origin));
    if (origin != null && isPreflight(request)) {
      preflight(ctx, route, cors, origin, originAllowed);
      return;
    }
    ctx.addHeadersEndHandler(v -> {
      MultiMap headers = ctx.response().headers();
      headers.names().stream().filter(n -> n.toLowerCase(Locale.ROOT).startsWith("access-control-")).toList()
          .forEach(headers::remove);
      headers.add("Vary", "Origin");
      if (originAllowed) {
        allowOrigin(headers, cors, origin);
        if (!cors.exposeHeaders().isEmpty()) {
          headers.set("Access-Control-Expose-Headers", String.join(", ", cors.exposeHeaders()));
        }
      }
    });
    ctx.next();
  }

  /** A preflight: OPTIONS with Origin and Access-Control-Request-Method. */
  public static boolean isPreflight(HttpServerRequest request) {
    return request.method() == HttpMethod.OPTIONS && request.getHeader("Origin") != null
        && request.getHeader("Access-Control-Request-Method") != null;
  }

  private static void preflight(RoutingContext ctx, Route route, Cors cors, String origin, boolean originAllowed) {
    String method = ctx.request().getHeader("Access-Control-Request-Method").trim();
    List<String> methods = !cors.allowMethods().isEmpty() ? cors.allowMethods()
        : !route.match().methods().isEmpty() ? route.match().methods() : RequestLineHandler.ACCEPTED_METHODS;
    ctx.response().putHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    if (!originAllowed) {
      Responses.error(ctx, 403, "CORS: origin " + origin + " is not allowed");
      return;
    }
    if (!methods.contains(method)) {
      Responses.error(ctx, 403, "CORS: method " + method + " is not allowed");
      return;
    }
    String requested = ctx.request().getHeader("Access-Control-Request-Headers");
    boolean anyHeader = cors.allowHeaders().contains("*");
    if (requested != null && !anyHeader) {
      for (String header : requested.split(",")) {
        String name = header.trim();
        if (!name.isEmpty() && cors.allowHeaders().stream().noneMatch(name::equalsIgnoreCase)) {
          Responses.error(ctx, 403, "CORS: header " + name + " is not allowed");
          return;
        }
      }
    }
    MultiMap headers = ctx.response().headers();
    allowOrigin(headers, cors, origin);
    headers.set("Access-Control-Allow-Methods", String.join(", ", methods));
    if (anyHeader) {
      if (requested != null && !requested.isBlank()) {
        headers.set("Access-Control-Allow-Headers", requested.trim());
      }
    } else if (!cors.allowHeaders().isEmpty()) {
      headers.set("Access-Control-Allow-Headers", String.join(", ", cors.allowHeaders()));
    }
    int maxAge = cors.maxAgeSeconds() > 0 ? cors.maxAgeSeconds() : Cors.DEFAULT_MAX_AGE_SECONDS;
    headers.set("Access-Control-Max-Age", Integer.toString(maxAge));
    ctx.request().resume();
    ctx.response().setStatusCode(204).end();
  }

  private static void allowOrigin(MultiMap headers, Cors cors, String origin) {
    boolean wildcard = cors.allowOrigins().contains("*") && !cors.allowCredentials();
    headers.set("Access-Control-Allow-Origin", wildcard ? "*" : origin);
    if (cors.allowCredentials()) {
      headers.set("Access-Control-Allow-Credentials", "true");
    }
  }
}
