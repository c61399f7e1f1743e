package dev.outpost.runtime.status;

import dev.outpost.runtime.source.DirectorySource;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code GET /outpost/integrations} on the management port: the status the agent reads, as JSON;
 * with {@code ?format=text}, one line per integration for a terminal ({@code ./outpost status} and
 * {@code deploy}): name, version, phase, the SHA-256 of the file the line tells of ({@link
 * DirectorySource#digestOf}: the file the integrations directory applied under that name, or the one
 * it says waits) and the reason, tab-separated, the reason on one line.
 */
@ApplicationScoped
public class StatusRoutes {

  private final ObservedStatuses statuses;
  private final DirectorySource directory;

  StatusRoutes(ObservedStatuses statuses, DirectorySource directory) {
    this.statuses = statuses;
    this.directory = directory;
  }

  void register(@Observes ManagementInterface management) {
    management.router().get("/outpost/integrations").handler(ctx -> {
      if ("text".equals(ctx.request().getParam("format"))) {
        ctx.response().putHeader("content-type", "text/plain; charset=utf-8").end(textNow());
      } else {
        ctx.response().putHeader("content-type", "application/json").end(Json.encode(statuses.all()));
      }
    });
  }

  /**
   * The applied digests are read before the statuses: a digest then never names a file applied after
   * the status beside it was taken (the other way round, a line could pair the last status with the
   * next file's digest, and ./outpost deploy read an old result as the new file's). A waiting file's
   * goes with the very status said of it.
   */
  private String textNow() {
    Map<String, String> applied = directory.appliedDigests();
    return text(statuses.all(), status -> directory.digestOf(status, applied));
  }

  static String text(List<IntegrationStatus> all, Function<IntegrationStatus, String> digestOf) {
    StringBuilder out = new StringBuilder();
    for (IntegrationStatus s : all) {
      out.append(s.name()).append('\t').append(s.version() == null ? "-" : s.version()).append('\t').append(s.phase())
          .append('\t').append(digestOf.apply(s))
          .append('\t').append(s.message() == null ? "" : s.message().replaceAll("\\s+", " ").strip()).append('\n');
    }
    return out.toString();
  }
}
