package dev.outpost.observability.retention;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.store.lucene.LuceneStorage;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code storage.retention-size}: past it the oldest days go, never the current one, at the
 * retention pass and as soon as ingest starts refusing for a full disk, so that the disk frees
 * itself rather than refusing the newest telemetry until a day ages out; operators see the stored
 * bytes and the refusal as gauges.
 */
@QuarkusTest
@TestProfile(RetentionBySizeTest.SmallDisk.class)
@QuarkusTestResource(TestIdpResource.class)
class RetentionBySizeTest {

  /**
   * A store of its own, kept to 4 KiB (every day but the current one goes: a day takes more; the rest
   * of the directory less, or no day would go), on a disk of 8 MiB.
   */
  public static class SmallDisk implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.storage.retention-size", "4K",
          "outpost.observability.ingest.max-data-bytes", Long.toString(8L << 20),
          "outpost.observability.ingest.min-free-disk-bytes", Long.toString(1L << 20),
          "outpost.observability.storage.checkpoint-interval", "PT0.2S",
          "outpost.observability.storage.telemetry-poll-interval", "PT1H");
    }
  }

  @Inject OtlpServer server;
  @Inject LuceneStorage storage;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  private static long daysAgo(int days) {
    return (System.currentTimeMillis() - Duration.ofDays(days).toMillis()) * 1_000_000L;
  }

  @Test
  void theRetentionPassDeletesEveryDayButTheCurrentOnePastTheSize() {
    Otlp otlp = new Otlp(server.port());
    String project = "size-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("alice", List.of(project));
    for (int days : new int[] {3, 2, 1, 0}) {
      otlp.send(Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(daysAgo(days) - 1_000_000_000L,
          "sized " + days + " days old", Map.of()))));
    }
    String traceId = UUID.randomUUID().toString().replace("-", "");
    otlp.send(Otlp.traces(Otlp.resource("svc", project), List.of(
        Otlp.span(traceId, "00000000000000c1", null, "old span", daysAgo(2), 1_000_000, Map.of()))));
    Eventually.within(Duration.ofSeconds(3), "4 records", () -> bodies(token, project).size() == 4);

    storage.applyRetention();
    storage.refresh();

    assertThat(bodies(token, project)).containsExactly("sized 0 days old");
    assertThat(given().auth().oauth2(token).get("/api/v1/traces/" + traceId).statusCode()).isEqualTo(404);
    String scraped = given().get(metrics).then().statusCode(200).extract().asString();
    assertThat(scraped).contains("outpost_storage_bytes{signal=\"logs\"}", "outpost_storage_bytes{signal=\"traces\"}",
        "outpost_storage_retention_size_bytes 4096.0", "outpost_ingest_disk_refusing ");
  }

  @Test
  void aDiskThatFillsFreesItselfInsteadOfRefusingUntilADayAgesOut() {
    Otlp otlp = new Otlp(server.port());
    String project = "full-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("alice", List.of(project));
    int refusedAfter = DiskFill.untilRefused(otlp, project, daysAgo(2), new Random(7));
    assertThat(refusedAfter).as("the 8 MiB disk filled").isPositive();

    // refused, the guard had the days past the size deleted: room again, without waiting for the hourly pass
    Eventually.within(Duration.ofSeconds(20), "ingest taken again", () -> otlp.post("/v1/logs",
        "application/x-protobuf", Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(daysAgo(0),
            "after the fill", Map.of()))).toByteArray(), Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode() == 200);
    Eventually.within(Duration.ofSeconds(3), "only the current day's record", () -> {
      storage.refresh();
      return bodies(token, project).equals(List.of("after the fill"));
    });
    Eventually.within(Duration.ofSeconds(3), "the gauge says ingest is taken", () -> given().get(metrics).then()
        .extract().asString().lines().anyMatch(l -> l.equals("outpost_ingest_disk_refusing 0.0")));
  }

  private static List<String> bodies(String token, String project) {
    return given().auth().oauth2(token).queryParam("project", project)
        .queryParam("from", Long.toString(System.currentTimeMillis() - Duration.ofDays(5).toMillis()))
        .queryParam("limit", 1000).get("/api/v1/logs").then().statusCode(200).extract().jsonPath()
        .getList("records.body", String.class);
  }
}
