package dev.outpost.observability.retention;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.store.lucene.LuceneStorage;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The state's telemetry settings, as the agent writes them, decide how long logs and traces are
 * kept, each apart: records older than that are refused at ingest, and the days before it are
 * deleted as soon as a shorter setting arrives.
 */
@QuarkusTest
@TestProfile(RetentionFromStateTest.OwnStore.class)
@QuarkusTestResource(TestIdpResource.class)
class RetentionFromStateTest {

  /** A store of its own: this test deletes days of data. */
  public static class OwnStore implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.storage.telemetry-poll-interval", "PT1H");
    }
  }

  @Inject ObservabilityConfig config;
  @Inject OtlpServer server;
  @Inject TelemetrySettingsWatch watch;
  @Inject RetentionPolicy policy;
  @Inject LuceneStorage storage;

  static long daysAgo(int days) {
    return (System.currentTimeMillis() - Duration.ofDays(days).toMillis()) * 1_000_000L;
  }

  void settings(String json) throws Exception {
    Path file = config.storage().telemetryFile();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, json);
    watch.poll();
  }

  @Test
  void logsAndTracesAreKeptAsLongAsTheStateSaysEachApart() throws Exception {
    Otlp otlp = new Otlp(server.port());
    String project = "retention-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("alice", List.of(project));
    String traceId = UUID.randomUUID().toString().replace("-", "");
    // five days old: within the default of 7 days for both
    otlp.send(Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(daysAgo(5), "five days old", Map.of()))));
    otlp.send(Otlp.traces(Otlp.resource("svc", project), List.of(
        Otlp.span(traceId, "00000000000000b1", null, "old span", daysAgo(5), 1_000_000, Map.of()))));
    String from = Long.toString(System.currentTimeMillis() - Duration.ofDays(6).toMillis());
    Eventually.within(Duration.ofSeconds(3), "both stored", () -> logCount(token, project, from) == 1
        && given().auth().oauth2(token).get("/api/v1/traces/" + traceId).statusCode() == 200);

    settings("{\"logsRetentionDays\": 2, \"tracesRetentionDays\": 20}");

    assertThat(policy.logs()).isEqualTo(Duration.ofDays(2));
    assertThat(policy.traces()).isEqualTo(Duration.ofDays(20));
    storage.refresh();
    assertThat(logCount(token, project, from)).as("the log's day was deleted at once").isZero();
    assertThat(given().auth().oauth2(token).get("/api/v1/traces/" + traceId).statusCode())
        .as("traces are kept 20 days").isEqualTo(200);
    // Jaeger lists services over the traces' retention: one idle for ten days can still be searched
    String idle = "idle-" + UUID.randomUUID().toString().substring(0, 8);
    otlp.send(Otlp.traces(Otlp.resource(idle, project), List.of(
        Otlp.span(UUID.randomUUID().toString().replace("-", ""), "00000000000000b2", null, "idle span", daysAgo(10),
            1_000_000, Map.of()))));
    Eventually.within(Duration.ofSeconds(3), "the idle service listed", () -> given().auth().oauth2(token)
        .get("/jaeger/api/services").jsonPath().getList("data").contains(idle));
    // and at ingest: a five-day-old log is now too old, a five-day-old span is not
    var refused = otlp.post("/v1/logs", "application/x-protobuf", Otlp.logs(Otlp.resource("svc", project),
        List.of(Otlp.log(daysAgo(5), "late", Map.of()))).toByteArray(), Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(ExportLogsServiceResponse.parseFrom(refused.body()).getPartialSuccess().getErrorMessage())
        .contains("older than the retention period");
  }

  @Test
  void anInvalidOrMissingFileKeepsWhatIsInForce() throws Exception {
    settings("{\"logsRetentionDays\": 9, \"tracesRetentionDays\": 9}");
    settings("{\"logsRetentionDays\": 0, \"tracesRetentionDays\": 9}");
    assertThat(policy.logs()).isEqualTo(Duration.ofDays(9));
    settings("not json");
    assertThat(policy.logs()).isEqualTo(Duration.ofDays(9));
    Files.delete(config.storage().telemetryFile());
    watch.poll();
    assertThat(policy.traces()).isEqualTo(Duration.ofDays(9));
  }

  private static int logCount(String token, String project, String from) {
    return given().auth().oauth2(token).queryParam("project", project).queryParam("from", from)
        .get("/api/v1/logs").then().statusCode(200).extract().jsonPath().getList("records").size();
  }
}
