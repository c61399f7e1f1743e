package dev.outpost.observability.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.Owner;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.lucene.LuceneLogStore;
import dev.outpost.observability.store.lucene.LuceneTraceStore;
import dev.outpost.observability.store.lucene.QueryLimits;
import dev.outpost.observability.store.wal.Frame;
import dev.outpost.observability.store.wal.Journal;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.RandomAccessFile;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Days whose index files fail when the last run's data is opened at start: an old day of logs whose
 * commit point reads as a newer format but for its checksum, an old day of traces whose commit point
 * is gone, and today's logs, the day being written, with a segment cut short. Before, the first
 * stopped the start (the whole service, every project's ingest with it, in a crash loop), the second
 * was opened empty and its segments deleted, the third was moved aside unnamed. Now each is moved
 * aside as it is, the service starts, answers from the other days naming the ones it left out (ours
 * and Jaeger's APIs), counts them, and ingests; acknowledged records of today still in the journal
 * are searchable again.
 */
@QuarkusTest
@TestProfile(DamagedAtStartTest.DamagedByTheLastRun.class)
@QuarkusTestResource(TestIdpResource.class)
class DamagedAtStartTest {

  // constants only: the test resource and the test may be loaded by different class loaders
  static final String PROJECT = "damaged-at-start";
  static final String OLD_TRACE = "0000000000000000000000000000a0d1";
  static final String NEW_TRACE = "0000000000000000000000000000a0d2";
  private static final long DAY = 86_400_000_000_000L;

  public static class DamagedByTheLastRun implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(LeftByTheLastRun.class));
    }
  }

  /** The data directory a previous run left, then damaged on disk, before the application starts. */
  public static class LeftByTheLastRun implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      try {
        Path data = Path.of("target", "test-data", "damaged-at-start-" + UUID.randomUUID()).toAbsolutePath();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        QueryLimits limits = new QueryLimits(64, 5000, 100, 16 << 20);
        try (LuceneLogStore logs = new LuceneLogStore(data.resolve("log-blocks"), 16, limits);
            LuceneTraceStore spans = new LuceneTraceStore(data.resolve("spans"), 16, limits, new ObjectMapper())) {
          logs.write(List.of(log(1, noon(today.minusDays(2)), "from the damaged day"),
              log(2, noon(today.minusDays(1)), "from the readable day"),
              log(3, startOf(today) + 1, "committed today")));
          spans.write(List.of(span(1, OLD_TRACE, noon(today.minusDays(2))), span(2, NEW_TRACE, noon(today.minusDays(1)))));
        }
        // acknowledged after the last checkpoint: only in the journal
        try (Journal journal = Journal.open(Journal.directoryIn(data))) {
          byte[] payload = Otlp.logs(Otlp.resource("svc", PROJECT), List.of(Otlp.log(startOf(today) + 2,
              "acknowledged today, in the journal", Map.of()))).toByteArray();
          journal.append(Frame.Kind.LOGS, 1, System.currentTimeMillis(), "", "", payload).durable()
              .get(5, TimeUnit.SECONDS);
        }
        Path oldLogs = data.resolve("log-blocks").resolve(today.minusDays(2).toString());
        try (RandomAccessFile commit = new RandomAccessFile(only(oldLogs, "segments_").toFile(), "rw")) {
          commit.seek(4 + 1 + "segments".length()); // the format version, after the magic and the codec's name
          commit.writeInt(Integer.MAX_VALUE);
        }
        Files.delete(only(data.resolve("spans").resolve(today.minusDays(2).toString()), "segments_"));
        Path todaysLogs = data.resolve("log-blocks").resolve(today.toString());
        try (RandomAccessFile segment = new RandomAccessFile(only(todaysLogs, ".si").toFile(), "rw")) {
          segment.setLength(segment.length() / 2);
        }
        return Map.of("outpost.observability.data-dir", data.toString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void stop() {}
  }

  @Inject OtlpServer server;
  @Inject ObservabilityConfig config;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  @Test
  void theServiceStartsAndAnswersFromTheOtherDaysNamingTheDamagedOnes() throws Exception {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    String damaged = today.minusDays(2).toString();
    String token = TestIdpResource.idp().token("alice", List.of(PROJECT));
    String from = Long.toString(startOf(today.minusDays(2)) / 1_000_000L);

    Response logs = given().auth().oauth2(token).queryParam("from", from).get("/api/v1/logs");
    assertPartial(logs, damaged, today.toString());
    assertThat(logs.jsonPath().getList("records.body"))
        .as("today's acknowledged records in the journal are indexed again; those committed are aside")
        .containsExactly("acknowledged today, in the journal", "from the readable day");

    Response traces = given().auth().oauth2(token).queryParam("from", from).get("/api/v1/traces");
    assertPartial(traces, damaged);
    assertThat(traces.jsonPath().getList("traces.traceId")).containsExactly(NEW_TRACE);

    String text = given().get(metrics).asString();
    assertThat(text).contains("outpost_storage_unreadable_days{signal=\"logs\"} 2.0")
        .contains("outpost_storage_unreadable_days{signal=\"traces\"} 1.0");

    // Jaeger's API names them in its envelope's errors, beside the data of the other days
    for (String jaeger : List.of("/jaeger/api/services", "/jaeger/api/services/svc/operations",
        "/jaeger/api/operations?service=svc", "/jaeger/api/traces?service=svc&lookback=3d",
        "/jaeger/api/traces/" + NEW_TRACE, "/jaeger/api/traces?traceID=" + NEW_TRACE)) {
      Response answer = given().auth().oauth2(token).get(jaeger);
      assertThat(answer.statusCode()).as(jaeger + ": " + answer.asString()).isEqualTo(200);
      assertThat(answer.jsonPath().getList("data")).as(jaeger).isNotEmpty();
      assertThat(answer.jsonPath().getInt("errors[0].code")).as(jaeger).isEqualTo(500);
      assertThat(answer.jsonPath().getString("errors[0].msg")).as(jaeger).contains(damaged).contains("damaged");
    }
    Response lost = given().auth().oauth2(token).get("/jaeger/api/traces/" + OLD_TRACE);
    assertThat(lost.statusCode()).isEqualTo(404);
    assertThat(lost.jsonPath().getString("errors[0].msg")).contains("trace not found").contains(damaged);
    Response both = given().auth().oauth2(token).get("/jaeger/api/traces?traceID=" + NEW_TRACE + "&traceID=" + OLD_TRACE);
    assertThat(both.jsonPath().getList("data.traceID")).containsExactly(NEW_TRACE);
    assertThat(both.jsonPath().getList("errors.traceID")).as(both.asString()).containsExactly(OLD_TRACE, null);
    // the graph stays free of errors, which Grafana would take for a failure and draw nothing
    Response graph = given().auth().oauth2(token).get("/jaeger/api/dependencies?lookback=259200000");
    assertThat(graph.jsonPath().getBoolean("partial")).isTrue();
    assertThat(graph.jsonPath().getList("errors")).isNull();

    // and it ingests, today included
    new Otlp(server.port()).send(Otlp.logs(Otlp.resource("svc", PROJECT), List.of(
        Otlp.log(System.currentTimeMillis() * 1_000_000L, "after the start", Map.of()))));
    Eventually.within(Duration.ofSeconds(5), "the new record searchable", () -> given().auth().oauth2(token)
        .queryParam("from", from).get("/api/v1/logs").jsonPath().getList("records.body").contains("after the start"));

    // nothing deleted: each damaged day's files are kept aside as they were, for the operator
    assertThat(aside(config.dataDir().resolve("log-blocks"))).containsExactlyInAnyOrder(damaged, today.toString());
    assertThat(aside(config.dataDir().resolve("spans"))).containsExactly(damaged);
    try (Stream<Path> dirs = Files.list(config.dataDir().resolve("spans"))) {
      Path spansAside = dirs.filter(d -> d.getFileName().toString().startsWith(damaged + ".corrupt-")).findFirst()
          .orElseThrow();
      assertThat(only(spansAside, ".si")).as("the segments no commit names any more").exists();
    }
  }

  /** 200, marked partial, naming the days left out, and no trace of the failure's stack. */
  private static void assertPartial(Response answer, String... days) {
    assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
    assertThat(answer.jsonPath().getBoolean("partial")).isTrue();
    assertThat(answer.jsonPath().getList("unreadableDays")).containsExactly((Object[]) days);
    assertThat(answer.asString()).doesNotContain("Exception");
  }

  /** The days of a signal's directory moved aside. */
  private static List<String> aside(Path signal) throws Exception {
    try (Stream<Path> dirs = Files.list(signal)) {
      return dirs.map(d -> d.getFileName().toString()).filter(name -> name.contains(".corrupt-"))
          .map(name -> name.substring(0, name.indexOf(".corrupt-"))).toList();
    }
  }

  /** The one file of a day whose name starts with, or ends with, {@code mark}. */
  static Path only(Path day, String mark) throws Exception {
    try (Stream<Path> files = Files.list(day)) {
      List<Path> found = files.filter(f -> f.getFileName().toString().startsWith(mark)
          || f.getFileName().toString().endsWith(mark)).toList();
      assertThat(found).as(mark + " in " + day).hasSize(1);
      return found.get(0);
    }
  }

  static long startOf(LocalDate day) {
    return day.toEpochDay() * DAY;
  }

  static long noon(LocalDate day) {
    return startOf(day) + DAY / 2;
  }

  static LogEntry log(long seq, long timeNanos, String body) {
    return new LogEntry(seq, timeNanos, timeNanos, 9, "INFO", body, new Owner("svc", PROJECT, "", "", ""), "", "", "",
        Map.of(), Map.of());
  }

  static SpanEntry span(long seq, String traceId, long startNanos) {
    return new SpanEntry(seq, traceId, "00000000000000a" + seq, "", "GET /" + seq, "SERVER", startNanos,
        startNanos + 1_000_000L, "UNSET", "", new Owner("svc", PROJECT, "", "", ""), Map.of(), Map.of(), List.of(),
        List.of());
  }
}
