package dev.outpost.observability.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.IngestPipeline;
import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.store.LogStore;
import dev.outpost.observability.store.lucene.BusySearch;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A full disk whose size pass, asked for as ingest started refusing, met a day kept busy by a search
 * and deleted nothing: it was asked for once, so ingest answered 503 until the hourly pass. While
 * ingest refuses the pass is asked for again, and once the search ends the oldest day goes.
 */
@QuarkusTest
@TestProfile(RetentionBySizeWhileBusyTest.SmallDiskNoCheckpoint.class)
@QuarkusTestResource(TestIdpResource.class)
class RetentionBySizeWhileBusyTest {

  /**
   * An 8 MiB disk kept to 4 KiB (more than the directory takes besides its days once the journal is
   * trimmed); checkpoints made by the test alone, so that no journal trimmed meanwhile takes the data
   * below the refusal for a moment (which asked for the pass anew).
   */
  public static class SmallDiskNoCheckpoint implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.storage.retention-size", "4K",
          "outpost.observability.ingest.max-data-bytes", Long.toString(8L << 20),
          "outpost.observability.ingest.min-free-disk-bytes", Long.toString(1L << 20),
          "outpost.observability.storage.checkpoint-interval", "PT1H",
          "outpost.observability.storage.telemetry-poll-interval", "PT1H");
    }
  }

  @Inject OtlpServer server;
  @Inject LogStore logs;
  @Inject IngestPipeline pipeline;

  @Test
  void aPassThatMetABusyDayIsAskedForAgainWhileIngestRefuses() throws Exception {
    Otlp otlp = new Otlp(server.port());
    long twoDaysAgo = (System.currentTimeMillis() - Duration.ofDays(2).toMillis()) * 1_000_000L;
    try (BusySearch search = BusySearch.overLogs(logs)) {
      assertThat(DiskFill.untilRefused(otlp, "busy", twoDaysAgo, new Random(5))).as("the 8 MiB disk filled")
          .isNotNegative();
      // the pass asked for at the refusal waits 200 ms for the busy day, then gives up
      Thread.sleep(1500);
      pipeline.checkpoint(); // the journal trimmed: the old day alone fills the disk
      Thread.sleep(1100); // the guard measures at most once a second
      assertThat(post(otlp, current("while the search runs"))).as("nothing was deleted").isEqualTo(503);
    }

    Eventually.within(Duration.ofSeconds(30), "ingest taken again once the search ended",
        () -> post(otlp, current("after the search")) == 200);
  }

  private static byte[] current(String body) {
    return Otlp.logs(Otlp.resource("svc", "busy"), List.of(Otlp.log(System.currentTimeMillis() * 1_000_000L, body,
        Map.of()))).toByteArray();
  }

  private static int post(Otlp otlp, byte[] body) {
    return otlp.post("/v1/logs", "application/x-protobuf", body, Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode();
  }
}
