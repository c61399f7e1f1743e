package dev.outpost.runtime.status;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * {@code GET /outpost/integrations} on the management port: the status the agent reads, as JSON;
 * with {@code ?format=text}, one line per integration for a terminal ({@code ./outpost status}):
 * name, version, phase and the reason, tab-separated, the reason on one line.
 */
@ApplicationScoped
public class StatusRoutes {

  private final ObservedStatuses statuses;

  StatusRoutes(ObservedStatuses statuses) {
    this.statuses = statuses;
  }

  void register(@Observes ManagementInterface management) {
    management.router().get("/outpost/integrations").handler(ctx -> {
      if ("text".equals(ctx.request().getParam("format"))) {
        ctx.response().putHeader("content-type", "text/plain; charset=utf-8").end(text(statuses.all()));
      } else {
        ctx.response().putHeader("content-type", "application/json").end(Json.encode(statuses.all()));
      }
    });
  }

  static String text(List<IntegrationStatus> all) {
    StringBuilder out = new StringBuilder();
    for (IntegrationStatus s : all) {
      out.append(s.name()).append('\t').append(s.version() == null ? "-" : s.version()).append('\t').append(s.phase())
          .append('\t').append(s.message() == null ? "" : s.message().replaceAll("\\s+", " ").strip()).append('\n');
    }
    return out.toString();
  }
}
