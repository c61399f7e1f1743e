package dev.outpost.observability.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A search that runs out of its time budget answers with what it found, marked {@code partial},
 * instead of running on, or a 503 {@code query_timeout} when it found nothing and has nowhere to go
 * on from: with a budget of zero every search over stored records runs out at once.
 */
@QuarkusTest
@TestProfile(QueryTimeBudgetTest.NoTime.class)
@QuarkusTestResource(TestIdpResource.class)
class QueryTimeBudgetTest {

  /** No time at all for a search. */
  public static class NoTime implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.query.time-budget", "PT0S");
    }
  }

  @Inject OtlpServer server;

  @Test
  void searchesAndHistogramsOverTheBudgetAreMarkedPartial() throws Exception {
    String project = "slow-" + UUID.randomUUID();
    long now = System.currentTimeMillis() * 1_000_000L;
    List<io.opentelemetry.proto.logs.v1.LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(Otlp.log(now - i * 1_000_000L, "budget line " + i, Map.of()));
    }
    new Otlp(server.port()).send(Otlp.logs(Otlp.resource("svc", project), records));
    String token = TestIdpResource.idp().token("alice", List.of(project));

    // until a refresh makes the records searchable, a search finds nothing and is not partial
    Response[] answered = new Response[1];
    Eventually.within(Duration.ofSeconds(5), "a logs search over the stored records runs out of time", () -> {
      answered[0] = given().auth().oauth2(token).get("/api/v1/logs");
      return answered[0].statusCode() != 200 || partial(answered[0]);
    });
    Response logs = answered[0];
    if (logs.statusCode() == 503) {
      // out of time before it found a record or a place to go on from: said so, not an empty page
      assertThat(logs.jsonPath().getString("error")).isEqualTo("query_timeout");
    } else {
      assertThat(logs.statusCode()).isEqualTo(200);
      assertThat(logs.jsonPath().getBoolean("partial")).isTrue();
      assertThat(!logs.jsonPath().getList("records").isEmpty() || logs.jsonPath().getString("nextCursor") != null).isTrue();
    }

    Eventually.within(Duration.ofSeconds(5), "a histogram over the stored records runs out of time", () -> {
      answered[0] = given().auth().oauth2(token).get("/api/v1/logs/histogram");
      return answered[0].statusCode() != 200 || partial(answered[0]);
    });
    Response histogram = answered[0];
    assertThat(histogram.statusCode()).isEqualTo(200);
    assertThat(histogram.jsonPath().getBoolean("partial")).isTrue();
    assertThat(histogram.jsonPath().getLong("total")).isLessThan(50);
  }

  @Test
  void aTraceSearchOverTheBudgetIsMarkedPartial() throws Exception {
    String project = "slow-traces-" + UUID.randomUUID();
    long now = System.currentTimeMillis() * 1_000_000L;
    List<io.opentelemetry.proto.trace.v1.Span> spans = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      spans.add(Otlp.span(String.format("%032x", i + 1), String.format("%016x", i + 1), null, "GET /x", now - i * 1_000_000L,
          1_000_000L, Map.of()));
    }
    new Otlp(server.port()).send(Otlp.traces(Otlp.resource("svc", project), spans));
    String token = TestIdpResource.idp().token("alice", List.of(project));
    Response[] answered = new Response[1];
    Eventually.within(Duration.ofSeconds(5), "a trace search over the stored spans runs out of time", () -> {
      answered[0] = given().auth().oauth2(token).get("/api/v1/traces");
      return answered[0].statusCode() != 200 || partial(answered[0]);
    });
    Response traces = answered[0];
    assertThat(traces.statusCode()).isEqualTo(200);
    assertThat(traces.jsonPath().getBoolean("partial")).as("a search that stopped before it looked at every span").isTrue();
  }

  /** Whether an answer says it is partial (a search that ran out of time). */
  private static boolean partial(Response answer) {
    return answer.statusCode() == 200 && Boolean.TRUE.equals(answer.jsonPath().get("partial"));
  }
}
