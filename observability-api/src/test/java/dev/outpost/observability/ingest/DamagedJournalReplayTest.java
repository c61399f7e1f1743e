package dev.outpost.observability.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.store.wal.Frame;
import dev.outpost.observability.store.wal.Journal;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A journal segment left by the last run with a damaged frame among whole ones (a bit flipped on
 * disk): the whole frames are stored, and the segment, which holds the only copy of the damaged
 * frame's acknowledged records, is kept aside for the operator (who may mend a flipped bit by hand),
 * never replayed again. It was deleted right after the replay.
 */
@QuarkusTest
@TestProfile(DamagedJournalReplayTest.DamagedJournal.class)
@QuarkusTestResource(TestIdpResource.class)
class DamagedJournalReplayTest {

  // constants only: the test resource and the test may be loaded by different class loaders
  static final String PROJECT = "damaged-journal";

  public static class DamagedJournal implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(LeftByTheLastRun.class));
    }
  }

  /** Writes, before the application starts, the segment a previous run left: three frames, the second damaged. */
  public static class LeftByTheLastRun implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      try {
        Path data = Path.of("target", "test-data", "damaged-journal-" + UUID.randomUUID()).toAbsolutePath();
        Path journalDir = data.resolve("journal");
        try (Journal journal = Journal.open(journalDir)) {
          for (String body : List.of("first", "second", "third")) {
            byte[] payload = Otlp.logs(Otlp.resource("svc", PROJECT), List.of(Otlp.log(System.currentTimeMillis()
                * 1_000_000L, body, Map.of()))).toByteArray();
            journal.append(Frame.Kind.LOGS, 1, System.currentTimeMillis(), "", "", payload).durable()
                .get(5, TimeUnit.SECONDS);
          }
        }
        Path segment = journalDir.resolve("segment-000000000001.wal");
        byte[] bytes = Files.readAllBytes(segment);
        int second = ByteBuffer.wrap(bytes).getInt(0) + 8;
        bytes[second + 8 + ByteBuffer.wrap(bytes).getInt(second) - 3] ^= 0x04; // inside the second's payload
        Files.write(segment, bytes);
        Files.write(asWritten(data), bytes);
        return Map.of("outpost.observability.data-dir", data.toString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void stop() {}
  }

  /** A copy of the segment as the last run left it, beside the data directory. */
  static Path asWritten(Path data) {
    return data.resolveSibling(data.getFileName() + ".segment-as-written");
  }

  @Inject ObservabilityConfig config;
  @Inject IngestPipeline pipeline;

  @Test
  void theWholeFramesAreStoredAndTheDamagedSegmentIsKeptAsideForTheOperator() throws Exception {
    String token = TestIdpResource.idp().token("alice", List.of(PROJECT));
    Eventually.within(Duration.ofSeconds(3), "the whole frames' records", () -> bodies(token).equals(List.of(
        "first", "third")));

    pipeline.checkpoint();

    Path journal = config.dataDir().resolve("journal");
    Path kept = journal.resolve("segment-000000000001.wal.damaged");
    assertThat(kept).as("kept aside, not deleted").exists();
    assertThat(Files.readAllBytes(kept)).as("as it was, for a repair by hand").isEqualTo(Files.readAllBytes(asWritten(config.dataDir())));
    try (Stream<Path> files = Files.list(journal)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("never replayed again")
          .noneMatch(name -> name.equals("segment-000000000001.wal"));
    }
  }

  private static List<String> bodies(String token) {
    return given().auth().oauth2(token).queryParam("project", PROJECT)
        .queryParam("from", Long.toString(System.currentTimeMillis() - Duration.ofHours(1).toMillis()))
        .queryParam("limit", 100).get("/api/v1/logs").then().statusCode(200).extract().jsonPath()
        .getList("records.body", String.class).stream().sorted().toList();
  }
}
