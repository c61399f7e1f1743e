package dev.outpost.observability.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
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
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * A day whose index opened but whose files were damaged since (a bad disk writing over them) fails
 * only the searches that reach it: before, every query whose range covered that day answered 500,
 * the other days' records with it. Now the other days answer, 200, and the answer names the day that
 * could not be read; the log says so once per day, and a gauge counts such days.
 */
@QuarkusTest
@TestProfile(DamagedDayTest.OwnData.class)
@QuarkusTestResource(TestIdpResource.class)
class DamagedDayTest {

  /**
   * An app, and a data directory, of its own (a profile starts one): the day damaged here would be
   * met by other tests' lookups of every day.
   */
  public static class OwnData implements QuarkusTestProfile {}

  private static final long DAY = 86_400_000_000_000L;
  private static final String OLD_TRACE = "0000000000000000000000000000d0d1";
  private static final String NEW_TRACE = "0000000000000000000000000000d0d2";

  @Inject OtlpServer server;
  @Inject ObservabilityConfig config;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  @Test
  void aDamagedDayIsLeftOutAndNamedWhileTheOtherDaysAnswer() throws Exception {
    String project = "damaged-" + UUID.randomUUID();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    LocalDate damaged = today.minusDays(2);
    long damagedNoon = damaged.toEpochDay() * DAY + DAY / 2;
    long readableNoon = today.minusDays(1).toEpochDay() * DAY + DAY / 2;
    Otlp otlp = new Otlp(server.port());
    otlp.send(Otlp.logs(Otlp.resource("svc", project), List.of(
        Otlp.log(damagedNoon, "from the damaged day", Map.of()),
        Otlp.log(readableNoon, "from the readable day", Map.of()))));
    otlp.send(Otlp.traces(Otlp.resource("svc", project), List.of(
        Otlp.span(OLD_TRACE, "00000000000000a1", null, "GET /old", damagedNoon, 1_000_000L, Map.of()),
        Otlp.span(NEW_TRACE, "00000000000000a2", null, "GET /new", readableNoon, 1_000_000L, Map.of()))));
    String token = TestIdpResource.idp().token("alice", List.of(project));
    String from = Long.toString(damaged.toEpochDay() * 86_400_000L);
    Eventually.within(Duration.ofSeconds(5), "both days' records and spans searchable", () ->
        given().auth().oauth2(token).queryParam("from", from).get("/api/v1/logs").jsonPath().getList("records").size() == 2
            && given().auth().oauth2(token).get("/api/v1/traces/" + OLD_TRACE).statusCode() == 200);

    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (record.getLevel().intValue() >= Level.WARNING.intValue() && message.contains(damaged.toString())) {
          warnings.add(message);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger logger = Logger.getLogger("dev.outpost.observability.store.lucene");
    logger.addHandler(handler);
    try {
      // the searchers are open: the damage is met by the searches, not by an open
      overwriteWithNoise(config.dataDir().resolve("log-blocks").resolve(damaged.toString()));
      overwriteWithNoise(config.dataDir().resolve("spans").resolve(damaged.toString()));

      for (int i = 0; i < 2; i++) {
        Response both = given().auth().oauth2(token).queryParam("from", from).get("/api/v1/logs");
        assertReadableDayOnly(both, damaged);
        assertThat(both.jsonPath().getList("records.body")).containsExactly("from the readable day");
      }

      Response onlyDamaged = given().auth().oauth2(token).queryParam("from", from)
          .queryParam("to", Long.toString(damaged.plusDays(1).toEpochDay() * 86_400_000L)).get("/api/v1/logs");
      assertReadableDayOnly(onlyDamaged, damaged);
      assertThat(onlyDamaged.jsonPath().getList("records")).isEmpty();

      Response histogram = given().auth().oauth2(token).queryParam("from", from).get("/api/v1/logs/histogram");
      assertReadableDayOnly(histogram, damaged);
      assertThat(histogram.jsonPath().getLong("total")).isEqualTo(1);

      Response traces = given().auth().oauth2(token).queryParam("from", from).get("/api/v1/traces");
      assertReadableDayOnly(traces, damaged);
      assertThat(traces.jsonPath().getList("traces.traceId")).containsExactly(NEW_TRACE);

      // a lookup by id searches every day
      Response trace = given().auth().oauth2(token).get("/api/v1/traces/" + NEW_TRACE);
      assertReadableDayOnly(trace, damaged);
      assertThat(trace.jsonPath().getList("spans.name")).containsExactly("GET /new");
      Response lost = given().auth().oauth2(token).get("/api/v1/traces/" + OLD_TRACE);
      assertThat(lost.statusCode()).as(lost.asString()).isEqualTo(404);
      assertThat(lost.jsonPath().getString("message")).contains(damaged.toString());

      Response services = given().auth().oauth2(token).queryParam("from", from).get("/api/v1/services");
      assertReadableDayOnly(services, damaged);
      assertThat(services.jsonPath().getList("services")).containsExactly("svc");

      // Jaeger's API answers from the other days too, and names the day in its envelope's errors
      for (String jaeger : List.of("/jaeger/api/services", "/jaeger/api/traces/" + NEW_TRACE,
          "/jaeger/api/traces?service=svc&lookback=3d")) {
        Response answer = given().auth().oauth2(token).get(jaeger);
        assertThat(answer.statusCode()).as(jaeger + ": " + answer.asString()).isEqualTo(200);
        assertThat(answer.jsonPath().getList("data")).as(jaeger).isNotEmpty();
        assertThat(answer.jsonPath().getString("errors[0].msg")).as(jaeger).contains(damaged.toString());
      }
      Response graph = given().auth().oauth2(token).get("/jaeger/api/dependencies?lookback=259200000");
      assertThat(graph.statusCode()).as(graph.asString()).isEqualTo(200);
      assertThat(graph.jsonPath().getBoolean("partial")).isTrue();
    } finally {
      logger.removeHandler(handler);
    }
    assertThat(warnings).as("said once per signal's day, not per request")
        .hasSize(2)
        .allSatisfy(w -> assertThat(w).contains("damaged"));
    String text = given().get(metrics).asString();
    assertThat(text).contains("outpost_storage_unreadable_days{signal=\"logs\"} 1.0")
        .contains("outpost_storage_unreadable_days{signal=\"traces\"} 1.0");
  }

  /** 200, marked partial, naming the damaged day, and no trace of the failure's stack. */
  private static void assertReadableDayOnly(Response answer, LocalDate damaged) {
    assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
    assertThat(answer.jsonPath().getBoolean("partial")).isTrue();
    assertThat(answer.jsonPath().getList("unreadableDays")).containsExactly(damaged.toString());
    assertThat(answer.asString()).doesNotContain("Exception").doesNotContain("at org.apache");
  }

  /**
   * What a bad disk does: noise over every file of the day's segments, in place, past their
   * headers. The commit point and segment infos stay, as they are read only at an open.
   */
  private static void overwriteWithNoise(Path day) throws Exception {
    Random noise = new Random(42);
    List<Path> files;
    try (Stream<Path> listed = Files.list(day)) {
      files = listed.filter(f -> {
        String name = f.getFileName().toString();
        return !name.startsWith("segments") && !name.endsWith(".si") && !name.equals("write.lock");
      }).toList();
    }
    assertThat(files).as("segment files in " + day).isNotEmpty();
    for (Path file : files) {
      long size = Files.size(file);
      if (size <= 96) {
        continue;
      }
      byte[] bytes = new byte[(int) (size - 64)];
      noise.nextBytes(bytes);
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.seek(48);
        raf.write(bytes);
      }
    }
  }
}
