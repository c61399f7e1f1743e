package dev.outpost.runtime.status;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** {@code GET /outpost/integrations} on the management port: the status the agent reads. */
@ApplicationScoped
public class StatusRoutes {

  private final ObservedStatuses statuses;

  StatusRoutes(ObservedStatuses statuses) {
    this.statuses = statuses;
  }

  void register(@Observes ManagementInterface management) {
    management.router().get("/outpost/integrations").handler(ctx -> ctx.response()
        .putHeader("content-type", "application/json")
        .end(Json.encode(statuses.all())));
  }
}
