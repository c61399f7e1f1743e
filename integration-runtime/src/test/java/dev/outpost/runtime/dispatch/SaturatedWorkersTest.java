package dev.outpost.runtime.dispatch;

import static dev.outpost.runtime.Eventually.eventually;
import static dev.outpost.runtime.Integrations.httpRoute;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
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
import org.junit.jupiter.api.Test;

/**
 * A request answered 504 while it still waited for a worker thread (platform-http runs every
 * exchange on one) is not run once a thread frees up: its client is gone, and running it would
 * call the backend for nobody, the more so when timeouts pile up because the workers are stuck.
 */
@QuarkusTest
@TestProfile(SaturatedWorkersTest.FewWorkers.class)
class SaturatedWorkersTest {

  static final int WORKERS = 4;

  /** Four worker threads, requests time out after 1 s. */
  public static class FewWorkers implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.thread-pool.max-threads", String.valueOf(WORKERS),
          "outpost.runtime.request-timeout", "1s");
    }
  }

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Test
  void aRequestAnsweredBeforeItsExchangeBeganNeverRuns() throws Exception {
    try (Backend backend = Backend.json("{\"called\":true}"); Backend began = Backend.json("{}")) {
      // each holding exchange tells "began" that it runs, then holds its worker
      Integrations.put(management, Integrations.of("busy", "1", httpRoute("busy", "/busy", holding(began, 2500, ""))
          + httpRoute("busy-call", "/busy/call", "- to: " + backend.url() + "/called"))).then().statusCode(200);
      var holding = holdEveryWorker("busy", began);
      var queued = HttpClient.newHttpClient().sendAsync(request("busy/call"), HttpResponse.BodyHandlers.ofString());

      assertThat(queued.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
      CompletableFuture.allOf(holding.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      // every exchange has ended, the queued one included, once the workers were free again
      eventually(() -> assertThat(Integrations.metric(management, "outpost_integration_exchanges_total", "busy"))
          .isEqualTo(WORKERS + 1.0));
      assertThat(backend.received()).as("the backend call of a request answered 504 before it began").isEmpty();

      given().get(http + "busy/call").then().statusCode(200);
      assertThat(backend.received()).hasSize(1);
      Integrations.delete(management, "busy").then().statusCode(204);
    }
  }

  /** Integrations holding every worker thread leave the admin API its own: an operator can still deploy and remove. */
  @Test
  void theAdminApiAnswersWhileEveryWorkerIsHeld() throws Exception {
    try (Backend began = Backend.json("{}"); Backend ended = Backend.json("{}")) {
      // held long enough for a deployment and a removal on a slow machine: both must end before
      Integrations.put(management, Integrations.of("hog", "1", httpRoute("hog", "/hog",
          holding(began, 8000, "- to: " + ended.url() + "/ended\n")))).then().statusCode(200);
      holdEveryWorker("hog", began);

      Integrations.put(management, Integrations.of("beside-hog", "1",
          Integrations.constantRoute("beside-hog", "/beside-hog", "ok"))).then().statusCode(200);
      Integrations.delete(management, "beside-hog").then().statusCode(204);
      assertThat(ended.received()).as("answered while every worker was still held").isEmpty();

      eventually(() -> assertThat(ended.received()).as("the holding exchanges ended").hasSize(WORKERS));
      Integrations.delete(management, "hog").then().statusCode(204);
    }
  }

  /** Steps that tell {@code began} the exchange runs, then hold its worker for {@code millis}, then run {@code after}. */
  private static String holding(Backend began, int millis, String after) {
    return "- to: " + began.url() + "/began\n" + """
        - delay:
            constant: %d
        """.formatted(millis) + after;
  }

  /** Sends one request per worker thread to {@code path}, whose exchanges hold them, and waits until all run. */
  private List<CompletableFuture<HttpResponse<String>>> holdEveryWorker(String path, Backend began) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    var holding = IntStream.range(0, WORKERS)
        .mapToObj(i -> client.sendAsync(request(path), HttpResponse.BodyHandlers.ofString())).toList();
    eventually(() -> assertThat(began.received()).as("holding exchanges running").hasSize(WORKERS));
    return holding;
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create(http + path)).build();
  }
}
