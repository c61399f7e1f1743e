package dev.outpost.gateway.route;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code GET /outpost/routes} on the management port: {@code {"revision": N, "routes": N}}, what
 * the agent reports upward. Metadata only.
 */
@ApplicationScoped
public class RoutesStatusRoute {

  void register(@Observes ManagementInterface management, RouteTableHolder holder) {
    management.router().get("/outpost/routes").handler(ctx -> {
      ActiveRoutes table = holder.current();
      ctx.json(new JsonObject().put("revision", table.revision()).put("routes", table.size()));
    });
  }
}
