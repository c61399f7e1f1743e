package dev.outpost.observability.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.AppProcess;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application keeps what the state's retention allows across a restart that finds no
 * settings file (its ConfigMap not yet there, the agent not yet running): it goes on with the
 * settings it applied last, not with {@code storage.retention}, whose first run would delete for
 * good every day between the two.
 */
class RetentionAcrossRestartIT {

  private static final String PROJECT = "retention-restart";

  @TempDir Path data;
  @TempDir Path state;

  @Test
  void aRestartWithoutTheSettingsFileKeepsTheDaysTheStateAllowed() throws Exception {
    Path settings = state.resolve("telemetry.json");
    Files.writeString(settings, "{\"logsRetentionDays\": 30, \"tracesRetentionDays\": 30}");
    try (TestIdp idp = new TestIdp(); AppProcess app = new AppProcess(Path.of("target", "retention-restart-it.log"))) {
      Map<String, String> properties = Map.of(
          "outpost.observability.data-dir", data.toString(),
          "outpost.observability.storage.telemetry-file", settings.toString(),
          "outpost.observability.storage.retention", "P7D",
          "outpost.observability.storage.telemetry-poll-interval", "PT0.2S",
          "outpost.observability.ingest.data-plane-token", Otlp.DATA_PLANE_TOKEN,
          "mp.jwt.verify.publickey.location", idp.jwksUrl(),
          "mp.jwt.verify.issuer", TestIdp.ISSUER);
      app.start(properties);
      long tenDaysAgo = System.currentTimeMillis() - Duration.ofDays(10).toMillis();
      HttpResponse<byte[]> stored = new Otlp(app.otlpPort).post("/v1/logs", "application/x-protobuf",
          Otlp.logs(Otlp.resource("svc", PROJECT), List.of(Otlp.log(tenDaysAgo * 1_000_000L, "ten days old", Map.of())))
              .toByteArray(), Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
      assertThat(stored.statusCode()).isEqualTo(200);
      String token = idp.token("checker", List.of(PROJECT));
      assertThat(countWithin(app.httpPort, token, Duration.ofSeconds(5))).isEqualTo(1);
      app.stop();

      Files.delete(settings);
      app.start(properties);
      // retention runs at start; give it the time it takes before looking
      Thread.sleep(2000);
      assertThat(count(app.httpPort, token)).as("the ten-day-old log, within the 30 days last applied").isEqualTo(1);
      app.stop();

      // a kept copy that cannot be read (a rollback to a build that does not know a field a later
      // one wrote): storage.retention would be a guess that deletes for good, so nothing is deleted
      Files.writeString(data.resolve("retention.json"), "{\"logsRetentionDays\": ");
      app.start(properties);
      Thread.sleep(2000);
      assertThat(count(app.httpPort, token)).as("the ten-day-old log, though no settings can be read").isEqualTo(1);
      // settings arrive, as long as storage.retention: the hold ends, and retention runs at once
      Files.writeString(settings, "{\"logsRetentionDays\": 7, \"tracesRetentionDays\": 7}");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (count(app.httpPort, token) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(count(app.httpPort, token)).as("the ten-day-old log, past the 7 days the settings give").isZero();
      app.stop();
      assertThat(Files.readString(app.logFile().toPath())).contains("ERROR")
          .contains("retention settings applied last, in " + data.resolve("retention.json") + ", cannot be read")
          .contains("no day is deleted until settings can be read");
    }
  }

  private static int countWithin(int port, String token, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    int found = count(port, token);
    while (found == 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      found = count(port, token);
    }
    return found;
  }

  private static int count(int port, String token) throws Exception {
    long from = System.currentTimeMillis() - Duration.ofDays(11).toMillis();
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/api/v1/logs?project=" + PROJECT + "&from=" + from))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("records").size();
  }
}
