package dev.outpost.runtime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
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

  @TestHTTPResource("/")
  URL publicPort;

  @Test
  void readinessIsUpOnTheManagementPort() {
    given().when().get(readiness).then().statusCode(200).body("status", equalTo("UP"))
        .body("checks.find { it.name == 'integrations' }.status", equalTo("UP"));
  }

  @Test
  void prometheusMetricsAreOnTheManagementPort() {
    given().when().get(metrics).then().statusCode(200);
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
