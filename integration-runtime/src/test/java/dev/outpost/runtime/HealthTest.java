package dev.outpost.runtime;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {

  @TestHTTPResource(value = "/health/ready", management = true)
  URL readiness;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  @Test
  void readinessIsUpOnTheManagementPort() {
    given().when().get(readiness).then().statusCode(200).body("status", equalTo("UP"))
        .body("checks.find { it.name == 'integrations' }.status", equalTo("UP"));
  }

  @Test
  void prometheusMetricsAreOnTheManagementPort() {
    given().when().get(metrics).then().statusCode(200);
  }
}
