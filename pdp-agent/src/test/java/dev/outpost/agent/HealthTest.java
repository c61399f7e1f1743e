package dev.outpost.agent;

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
    given().when().get(readiness).then().statusCode(200).body("status", equalTo("UP"));
  }

  /** The agent's own state, not only the JVM's: no control plane here, nothing applied yet. */
  @Test
  void prometheusMetricsAreOnTheManagementPortWithTheAgentsState() {
    String scrape = given().when().get(metrics).then().statusCode(200).extract().asString();
    org.assertj.core.api.Assertions.assertThat(scrape)
        .containsPattern("(?m)^outpost_agent_control_plane_connected 0\\.0$")
        .containsPattern("(?m)^outpost_agent_enforced_revision 0\\.0$")
        .containsPattern("(?m)^outpost_agent_attempted_revision 0\\.0$")
        .containsPattern("(?m)^outpost_agent_reconcile_ready 1\\.0$")
        .containsPattern("(?m)^outpost_agent_applying [01]\\.0$");
  }
}
