package dev.outpost.controlplane;

import static dev.outpost.controlplane.StateResourceTest.ADMIN;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Every answer of the API is JSON {@code {error, message}}, those the framework gives too: a 405 and a
 * 415 had empty bodies, and an unknown path got an HTML page.
 */
@QuarkusTest
class ApiErrorTest {

  @Test
  void aMethodThePathDoesNotTakeIsAnsweredInJson() {
    given().header("Authorization", ADMIN).contentType("application/json").body("{}")
        .patch("/v1/state").then().statusCode(405).contentType(startsWith("application/json"))
        .body("error", equalTo("method_not_allowed")).body("message", equalTo("PATCH is not a method of /v1/state"));
    given().post("/v1/agents").then().statusCode(405).contentType(startsWith("application/json"))
        .body("error", equalTo("method_not_allowed"));
    given().delete("/idp/token").then().statusCode(405).body("error", equalTo("method_not_allowed"));
  }

  @Test
  void aBodyOfATypeThePathDoesNotTakeIsAnsweredInJson() {
    given().header("Authorization", ADMIN).contentType("application/xml").body("<state/>")
        .put("/v1/state").then().statusCode(415).contentType(startsWith("application/json"))
        .body("error", equalTo("unsupported_media_type")).body("message", containsString("application/xml"));
  }

  @Test
  void anUnknownPathOfTheApiIsAnsweredInJson() {
    for (String path : new String[] {"/v1/nothing-here", "/v1/integrations", "/v1/state/x", "/idp/nothing-here", "/v1"}) {
      given().header("Authorization", ADMIN).get(path).then().statusCode(404).contentType(startsWith("application/json"))
          .body("error", equalTo("not_found")).body("message", containsString(path));
    }
  }
}
