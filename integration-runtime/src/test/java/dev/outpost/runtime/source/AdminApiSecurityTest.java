package dev.outpost.runtime.source;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import dev.outpost.runtime.Integrations;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin API answers only its bearer token, only on the management port. */
@QuarkusTest
class AdminApiSecurityTest {

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  static final String BODY = Integrations.json(Integrations.of("intruder", "1",
      Integrations.constantRoute("intruder", "/intruder", "pwned")));

  @Test
  void requestsWithoutTheTokenAreRefusedAndDeployNothing() {
    List<String> badAuthorizations = List.of("", "Bearer", "Bearer ", "Bearer wrong-token-0123456789",
        "Bearer " + Integrations.ADMIN_TOKEN + "x", "bearer " + Integrations.ADMIN_TOKEN,
        "Basic " + Integrations.ADMIN_TOKEN, Integrations.ADMIN_TOKEN,
        "Bearer " + Integrations.ADMIN_TOKEN.substring(0, 10));
    for (String authorization : badAuthorizations) {
      var request = given().contentType("application/json").body(BODY);
      if (!authorization.isEmpty()) {
        request.header("Authorization", authorization);
      }
      request.put(Integrations.base(management) + "outpost/admin/integrations/intruder").then().statusCode(401);
      given().header("Authorization", authorization.isEmpty() ? "none" : authorization)
          .delete(Integrations.base(management) + "outpost/admin/integrations/intruder").then().statusCode(401);
    }
    given().get(http + "intruder").then().statusCode(404);
  }

  @Test
  void theAdminApiAndTheStatusAreNotOnThePublicPort() {
    given().header("Authorization", "Bearer " + Integrations.ADMIN_TOKEN).contentType("application/json").body(BODY)
        .put(http + "outpost/admin/integrations/intruder").then().statusCode(404);
    given().get(http + "outpost/integrations").then().statusCode(404);
    given().get(http + "intruder").then().statusCode(404);
  }

  @Test
  void aBodyThatIsNotTheNamedIntegrationIsA400NamingTheProblem() {
    given().header("Authorization", "Bearer " + Integrations.ADMIN_TOKEN).contentType("application/json")
        .body("{\"name\": 3").put(Integrations.base(management) + "outpost/admin/integrations/x")
        .then().statusCode(400).body("error", containsString("invalid integration JSON"));
    given().header("Authorization", "Bearer " + Integrations.ADMIN_TOKEN).contentType("application/json")
        .body(BODY).put(Integrations.base(management) + "outpost/admin/integrations/other-name")
        .then().statusCode(400).body("error", containsString("differs from the path's 'other-name'"));
    given().get(http + "intruder").then().statusCode(404);
  }

  /** Refusals past the handlers (the body limit, a method the path has not) answer in the API's shape. */
  @Test
  void aBodyOverTheLimitOrAnUnservedMethodIsRefusedInTheApisShape() {
    String tooLarge = "{\"name\":\"" + "x".repeat(AdminRoutes.MAX_BODY_BYTES) + "\"}";
    given().header("Authorization", "Bearer " + Integrations.ADMIN_TOKEN).contentType("application/json")
        .body(tooLarge).put(Integrations.base(management) + "outpost/admin/integrations/x")
        .then().statusCode(413).contentType(startsWith("application/json"))
        .body("error", containsString("body exceeds 1048576 bytes"));
    given().header("Authorization", "Bearer " + Integrations.ADMIN_TOKEN)
        .post(Integrations.base(management) + "outpost/admin/integrations/x")
        .then().statusCode(405).contentType(startsWith("application/json")).header("Allow", containsString("PUT"))
        .body("error", containsString("POST"));
  }

  /** A malformed request Vert.x refuses (HTTP/1.1 without a Host) is the client's 400, not a logged 500. */
  @Test
  void aRequestWithoutAHostIsA400InTheApisShape() throws Exception {
    try (java.net.Socket socket = new java.net.Socket(management.getHost(), management.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("PUT /outpost/admin/integrations/x HTTP/1.1\r\nAuthorization: Bearer "
          + Integrations.ADMIN_TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
          + "Connection: close\r\n\r\n{}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      org.assertj.core.api.Assertions.assertThat(answer).startsWith("HTTP/1.1 400")
          .containsIgnoringCase("content-type: application/json").contains("\"error\":\"Bad Request\"");
    }
  }
}
