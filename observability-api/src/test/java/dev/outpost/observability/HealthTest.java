package dev.outpost.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;

import dev.outpost.observability.support.Eventually;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
class HealthTest {

  @TestHTTPResource(value = "/health/ready", management = true)
  URL readiness;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  @Test
  void readinessIsUpOnTheManagementPort() {
    given().when().get(readiness).then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void prometheusMetricsAreOnTheManagementPort() {
    // Prometheus text, with a meter of this service's own (LuceneStorage's outpost.search.refresh
    // timer, registered at startup), not only the framework's
    given().when().get(metrics).then().statusCode(200)
        .body(containsString("# TYPE "), containsString("# TYPE outpost_search_refresh_seconds "));
  }

  @TestHTTPResource("/")
  URL publicPort;

  /**
   * The public port is the one the browser console calls, across projects: the Prometheus text names
   * every project's meters and the health checks the store's state, so neither is served there.
   */
  @ParameterizedTest
  @ValueSource(strings = {"q/metrics", "q/health", "q/health/ready", "q/health/live", "metrics", "health/ready"})
  void noManagementEndpointIsOnThePublicPort(String path) {
    given().when().get(publicPort + path).then().statusCode(oneOf(401, 404))
        .body(not(containsString("# TYPE")), not(containsString("\"UP\"")));
  }

  @Test
  void searcherRefreshTimesArePublished() {
    // operators alert on this: a record waits up to the refresh interval plus two refreshes
    Eventually.within(Duration.ofSeconds(5), "a refresh recorded", () -> given().when().get(metrics).then()
        .extract().asString().lines().anyMatch(l -> l.startsWith("outpost_search_refresh_seconds_count") && !l.endsWith(" 0.0")));
  }

  /**
   * Quarkus tags its HTTP server meters with the method as sent, and Vert.x takes any token for one:
   * each new method a client made up was a new series, kept until a restart.
   */
  @Test
  void methodsAClientMakesUpShareOneSeries() throws Exception {
    for (int i = 0; i < 3; i++) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", publicPort.getPort())) {
        socket.setSoTimeout(5000);
        socket.getOutputStream().write(("XMETHOD" + i + " /made-up HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
            .startsWith("HTTP/1.1 ");
      }
    }
    String text = given().when().get(metrics).then().statusCode(200).extract().asString();
    assertThat(text).doesNotContain("XMETHOD");
    assertThat(text.lines().filter(l -> l.startsWith("http_server_requests_seconds_count{") && l.contains("method=\"UNKNOWN\"")))
        .as("counted, under one series").isNotEmpty();
  }
}
