package dev.outpost.observability.retention;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.store.lucene.LuceneStorage;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import dev.outpost.spec.testing.LogLines;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code storage.retention-size} above what the volume holds (a claim that stayed smaller when the
 * size was raised, without volume expansion; a restore into a smaller one): ingest refused at {@code
 * min-free-disk-bytes} while the data was below the size, and the passes asked for every 10 s deleted
 * nothing, so every sender was answered 503 until a day aged out. While ingest refuses, the oldest
 * day goes, and the log says the size is more than the volume holds.
 */
@QuarkusTest
@TestProfile(RetentionBySizeOnASmallVolumeTest.SizeAboveTheVolume.class)
@QuarkusTestResource(TestIdpResource.class)
class RetentionBySizeOnASmallVolumeTest {

  /** A size of 1 GiB on a volume of 8 MiB (no max-data-bytes: a persistent volume, not an emptyDir). */
  public static class SizeAboveTheVolume implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.storage.retention-size", "1G",
          "outpost.observability.ingest.min-free-disk-bytes", Long.toString(1L << 20),
          "outpost.observability.storage.checkpoint-interval", "PT0.2S",
          "outpost.observability.storage.telemetry-poll-interval", "PT1H");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
      return Set.of(SmallVolume.class);
    }
  }

  @Inject OtlpServer server;
  @Inject LuceneStorage storage;

  @Test
  void aVolumeSmallerThanTheSizeFreesItsOldestDayInsteadOfRefusingUntilADayAgesOut() {
    Otlp otlp = new Otlp(server.port());
    String project = "volume-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("alice", List.of(project));
    long twoDaysAgo = (System.currentTimeMillis() - Duration.ofDays(2).toMillis()) * 1_000_000L;
    try (LogLines log = LogLines.of("dev.outpost.observability.store.lucene.SizeRetention")) {
      assertThat(DiskFill.untilRefused(otlp, project, twoDaysAgo, new Random(3)))
          .as("the 8 MiB volume filled, far below the size").isNotNegative();

      Eventually.within(Duration.ofSeconds(30), "ingest taken again", () -> post(otlp, Otlp.logs(
          Otlp.resource("svc", project), List.of(Otlp.log(System.currentTimeMillis() * 1_000_000L, "after the fill",
              Map.of()))).toByteArray()) == 200);
      Eventually.within(Duration.ofSeconds(3), "only the current day's record", () -> {
        storage.refresh();
        return bodies(token, project).equals(List.of("after the fill"));
      });
      assertThat(log.containing("storage.retention-size (" + (1L << 30) + ")")).as("said once").singleElement()
          .satisfies(line -> assertThat(line).contains("more than this volume").contains("can take"));
    }
  }

  private static int post(Otlp otlp, byte[] body) {
    return otlp.post("/v1/logs", "application/x-protobuf", body, Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode();
  }

  private static List<String> bodies(String token, String project) {
    return given().auth().oauth2(token).queryParam("project", project)
        .queryParam("from", Long.toString(System.currentTimeMillis() - Duration.ofDays(5).toMillis()))
        .queryParam("limit", 1000).get("/api/v1/logs").then().statusCode(200).extract().jsonPath()
        .getList("records.body", String.class);
  }
}
