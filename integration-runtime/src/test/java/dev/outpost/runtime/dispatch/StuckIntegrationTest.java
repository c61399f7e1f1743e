package dev.outpost.runtime.dispatch;

import static dev.outpost.runtime.Eventually.eventually;
import static dev.outpost.runtime.Integrations.httpRoute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.Integrations;
import dev.outpost.runtime.telemetry.OtlpReceiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * An integration stuck on a slow step keeps a worker thread for each of its exchanges, also after
 * their clients were answered 504. Without a bound its next requests took the remaining threads, and
 * another, healthy integration's requests waited in the queue until they too were answered 504.
 * Four worker threads, requests time out after 1 s, at most two running exchanges per integration.
 */
@QuarkusTest
@TestProfile(StuckIntegrationTest.TwoPerIntegration.class)
@QuarkusTestResource(value = OtlpReceiver.class, restrictToAnnotatedClass = true)
class StuckIntegrationTest {

  static final int WORKERS = 4;
  static final int MAX_RUNNING = 2;

  public static class TwoPerIntegration implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.thread-pool.max-threads", String.valueOf(WORKERS),
          "outpost.runtime.request-timeout", "1s",
          "outpost.runtime.max-running-exchanges", String.valueOf(MAX_RUNNING));
    }
  }

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @ConfigProperty(name = "quarkus.otel.exporter.otlp.endpoint")
  String receiver;

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void aStuckIntegrationIsRefusedPastItsShareAndTheOthersKeepTheirWorkers() throws Exception {
    Integrations.put(management, Integrations.of("stuck", "1", httpRoute("stuck", "/stuck", """
        - delay:
            constant: 4000
        """))).then().statusCode(200);
    Integrations.put(management, Integrations.of("healthy", "1", httpRoute("healthy", "/healthy", """
        - setBody:
            constant: fine
        """))).then().statusCode(200);
    try {
      List<CompletableFuture<HttpResponse<String>>> stuck = IntStream.range(0, WORKERS)
          .mapToObj(i -> send("stuck")).toList();
      List<Integer> statuses = stuck.stream().map(f -> f.join().statusCode()).sorted().toList();
      // two run and are answered 504 after 1 s; the two beyond the share are refused at once
      assertThat(statuses).containsExactly(503, 503, 504, 504);
      HttpResponse<String> refused = stuck.stream().map(CompletableFuture::join)
          .filter(r -> r.statusCode() == 503).findFirst().orElseThrow();
      assertThat(refused.body()).contains("integration 'stuck' is busy: it runs 2 requests already");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      // its server span is the integration's (in Kubernetes only the integration's own token may send it)
      eventually(() -> assertThat(records()).anySatisfy(span -> {
        assertThat(span.getString("kind")).isEqualTo("span");
        assertThat(span.getJsonObject("attributes").getString("http.response.status_code", "")).contains("503");
        assertThat(span.getJsonObject("attributes").getString("outpost.integration")).isEqualTo("stuck");
        assertThat(span.getJsonObject("attributes").getString("outpost.project")).isEqualTo("proj-a");
      }));

      // the two stuck exchanges still hold their threads; the healthy integration has the other two
      List<CompletableFuture<HttpResponse<String>>> healthy = IntStream.range(0, WORKERS - MAX_RUNNING)
          .mapToObj(i -> send("healthy")).toList();
      for (CompletableFuture<HttpResponse<String>> answer : healthy) {
        HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("fine");
      }

      // once the stuck exchanges end, the integration takes requests again
      eventually(() -> assertThat(send("stuck").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(504));
    } finally {
      Integrations.delete(management, "stuck");
      Integrations.delete(management, "healthy");
    }
  }

  private List<JsonObject> records() throws Exception {
    JsonObject all = new JsonObject(client.send(HttpRequest.newBuilder(URI.create(receiver + "/received")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    return all.getJsonArray("records").stream().map(o -> (JsonObject) o).toList();
  }

  private CompletableFuture<HttpResponse<String>> send(String path) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create(http + path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
