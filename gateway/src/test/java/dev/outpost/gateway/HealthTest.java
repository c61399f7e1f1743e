package dev.outpost.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
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

  @TestHTTPResource("/")
  URL publicPort;

  @Test
  void prometheusMetricsAreOnTheManagementPort() {
    given().when().get(metrics).then().statusCode(200).body(containsString("# TYPE outpost_gateway_routes "));
  }

  /** Route ids, projects and the cluster's state are for the platform team's scraper, not for API consumers. */
  @ParameterizedTest
  @ValueSource(strings = {"q/metrics", "q/health", "q/health/ready", "q/health/live", "metrics", "health/ready",
      "outpost/routes", "q/dev-ui", "q/openapi"})
  void noManagementEndpointIsOnThePublicPort(String path) {
    given().when().get(publicPort + path).then().statusCode(404)
        .body(not(containsString("# TYPE")), not(containsString("UP")), not(containsString("revision")));
  }
}
