package dev.outpost.gateway.auth;

import dev.outpost.gateway.Responses;
import dev.outpost.gateway.route.MatchedRoute;
import dev.outpost.spec.model.RouteAuth;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

/**
 * Establishes who is calling, by the route's mode: a bearer JWT ({@link JwtVerifier}), an API key
 * ({@link ApiKeyAuthenticator}), or nobody for public routes. Refusals are answered here, with
 * {@code WWW-Authenticate} on 401, and the request goes no further.
 */
@Singleton
public class AuthenticateHandler implements Handler<RoutingContext> {

  private final JwtVerifier jwt;
  private final ApiKeyAuthenticator apiKeys;

  AuthenticateHandler(JwtVerifier jwt, ApiKeyAuthenticator apiKeys) {
    this.jwt = jwt;
    this.apiKeys = apiKeys;
  }

  @Override
  public void handle(RoutingContext ctx) {
    RouteAuth auth = MatchedRoute.of(ctx).route().route().auth();
    RouteAuth.Mode mode = auth == null ? RouteAuth.Mode.PUBLIC : auth.mode();
    Future<Identity> identity = switch (mode) {
      case PUBLIC -> Future.succeededFuture(Identity.ANONYMOUS);
      case JWT -> bearer(ctx).compose(token -> jwt.verify(token, auth.jwt()));
      case API_KEY -> apiKeys.authenticate(ctx.request().headers(), auth.apiKey());
    };
    identity.onComplete(ar -> {
      if (ar.succeeded()) {
        Identity.set(ctx, ar.result());
        ctx.next();
      } else if (ar.cause() instanceof AuthFailure failure) {
        refuse(ctx, failure, auth);
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  private static Future<String> bearer(RoutingContext ctx) {
    var values = ctx.request().headers().getAll("Authorization");
    if (values.isEmpty()) {
      return Future.failedFuture(AuthFailure.noCredentials("a bearer token is required"));
    }
    if (values.size() != 1) {
      return Future.failedFuture(AuthFailure.unauthorized("only one Authorization header is accepted"));
    }
    String value = values.get(0);
    if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(AuthFailure.noCredentials("a bearer token is required"));
    }
    return Future.succeededFuture(value.substring(7).trim());
  }

  /**
   * Answers a refusal. A 401 always says how to authenticate (RFC 9110 15.5.2): {@code Bearer}, with
   * {@code error="invalid_token"} only when a token was sent (RFC 6750 3.1); {@code Key} naming the
   * header for API keys, as Kong's key-auth answers.
   */
  static void refuse(RoutingContext ctx, AuthFailure failure, RouteAuth auth) {
    RouteAuth.Mode mode = auth == null ? RouteAuth.Mode.PUBLIC : auth.mode();
    if (failure.status() == 401 && mode == RouteAuth.Mode.JWT) {
      ctx.response().putHeader("WWW-Authenticate", failure.noCredentials() ? "Bearer" : "Bearer error=\"invalid_token\"");
    } else if (failure.status() == 401 && mode == RouteAuth.Mode.API_KEY) {
      ctx.response().putHeader("WWW-Authenticate", "Key header=\"" + auth.apiKey().headerName() + "\"");
    } else if (failure.status() == 403 && mode == RouteAuth.Mode.JWT) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\"");
    } else if (failure.status() == 503) {
      ctx.response().putHeader("Retry-After", "5");
    }
    Responses.error(ctx, failure.status(), failure.getMessage());
  }
}
