package dev.outpost.observability.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
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
    Thread.sleep(600); // past the refresh interval: the records are searchable
    String token = TestIdpResource.idp().token("alice", List.of(project));

    Response logs = given().auth().oauth2(token).get("/api/v1/logs");
    if (logs.statusCode() == 503) {
      // out of time before it found a record or a place to go on from: said so, not an empty page
      assertThat(logs.jsonPath().getString("error")).isEqualTo("query_timeout");
    } else {
      assertThat(logs.statusCode()).isEqualTo(200);
      assertThat(logs.jsonPath().getBoolean("partial")).isTrue();
      assertThat(!logs.jsonPath().getList("records").isEmpty() || logs.jsonPath().getString("nextCursor") != null).isTrue();
    }

    Response histogram = given().auth().oauth2(token).get("/api/v1/logs/histogram");
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
    Thread.sleep(600);
    String token = TestIdpResource.idp().token("alice", List.of(project));
    Response traces = given().auth().oauth2(token).get("/api/v1/traces");
    assertThat(traces.statusCode()).isEqualTo(200);
    assertThat(traces.jsonPath().getBoolean("partial")).as("a search that stopped before it looked at every span").isTrue();
  }
}
