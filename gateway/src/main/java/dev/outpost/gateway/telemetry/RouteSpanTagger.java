package dev.outpost.gateway.telemetry;

import dev.outpost.gateway.route.CompiledRoute;
import dev.outpost.gateway.route.MatchedRoute;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

/** Right after matching: names the request's server span after the route and tags it with the owner attributes. */
@Singleton
public class RouteSpanTagger implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    Span span = Span.fromContext(ServerSpanHandler.of(ctx));
    if (span.isRecording()) {
      CompiledRoute route = MatchedRoute.of(ctx).route();
      span.updateName(ctx.request().method().name() + " " + route.id());
      span.setAllAttributes(route.ownerAttributes());
    }
    ctx.next();
  }
}
