package dev.outpost.observability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.outpost.observability.support.Eventually;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;

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

  @Test
  void searcherRefreshTimesArePublished() {
    // operators alert on this: a record waits up to the refresh interval plus two refreshes
    Eventually.within(Duration.ofSeconds(5), "a refresh recorded", () -> given().when().get(metrics).then()
        .extract().asString().lines().anyMatch(l -> l.startsWith("outpost_search_refresh_seconds_count") && !l.endsWith(" 0.0")));
  }
}
