package dev.outpost.gateway.auth;

import dev.outpost.gateway.route.MatchedRoute;
import dev.outpost.spec.model.RouteAuth;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

/** Checks that an authenticated caller holds every scope the route requires (403 naming the first missing one). */
@Singleton
public class AuthorizeHandler implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    RouteAuth auth = MatchedRoute.of(ctx).route().route().auth();
    if (auth != null && auth.mode() == RouteAuth.Mode.JWT) {
      Identity identity = Identity.of(ctx);
      for (String required : auth.jwt().scopes()) {
        if (!identity.scopes().contains(required)) {
          AuthenticateHandler.refuse(ctx, new AuthFailure(403, "the token lacks the scope '" + required + "'"), auth);
          return;
        }
      }
    }
    ctx.next();
  }
}
