package dev.outpost.controlplane;

import static dev.outpost.controlplane.StateResourceTest.ADMIN;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
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
        .body("error", equalTo("method_not_allowed")).body("message", startsWith("PATCH is not a method of /v1/state"));
    given().post("/v1/agents").then().statusCode(405).contentType(startsWith("application/json"))
        .body("error", equalTo("method_not_allowed"));
    given().delete("/idp/token").then().statusCode(405).body("error", equalTo("method_not_allowed"));
  }

  /** RFC 9110 section 15.5.6: a 405 names the methods the path takes in Allow; the JSON answer had lost it. */
  @Test
  void aMethodNotAllowedNamesThoseThePathTakes() {
    given().header("Authorization", ADMIN).contentType("application/json").body("{}")
        .patch("/v1/state").then().statusCode(405)
        .header("Allow", allOf(containsString("GET"), containsString("HEAD"), containsString("OPTIONS"),
            containsString("PUT"), not(containsString("POST")), not(containsString("PATCH"))))
        .body("message", equalTo("PATCH is not a method of /v1/state: it takes GET, HEAD, OPTIONS, PUT"));
    given().header("Authorization", ADMIN).post("/v1/integrations/echo").then().statusCode(405)
        .body("message", equalTo("POST is not a method of /v1/integrations/echo: it takes DELETE, OPTIONS, PUT"));
    given().post("/v1/agents").then().statusCode(405).header("Allow", allOf(containsString("GET"), not(containsString("POST"))))
        .body("message", equalTo("POST is not a method of /v1/agents: it takes GET, HEAD, OPTIONS"));
    given().delete("/idp/token").then().statusCode(405)
        .body("message", equalTo("DELETE is not a method of /idp/token: it takes OPTIONS, POST"));
  }

  @Test
  void aBodyOfATypeThePathDoesNotTakeIsAnsweredInJson() {
    given().header("Authorization", ADMIN).contentType("application/xml").body("<state/>")
        .put("/v1/state").then().statusCode(415).contentType(startsWith("application/json"))
        .body("error", equalTo("unsupported_media_type")).body("message", containsString("application/xml"));
  }

  /** The framework's other refusals keep their status: UnexpectedFailures, which takes every Throwable, made it a 500. */
  @Test
  void anAnswerTypeThePathDoesNotGiveIsA406() {
    given().header("Authorization", ADMIN).accept("application/xml").get("/v1/state").then().statusCode(406);
  }

  /** A missing page outside the API is Quarkus' 404, not the API's JSON and never a 500. */
  @Test
  void aMissingPageOutsideTheApiIsA404() {
    for (String path : new String[] {"/console/nothing-here.js", "/console/config.json/x", "/nothing-here"}) {
      given().get(path).then().statusCode(404);
    }
  }

  @Test
  void anUnknownPathOfTheApiIsAnsweredInJson() {
    for (String path : new String[] {"/v1/nothing-here", "/v1/integrations", "/v1/state/x", "/idp/nothing-here", "/v1"}) {
      given().header("Authorization", ADMIN).get(path).then().statusCode(404).contentType(startsWith("application/json"))
          .body("error", equalTo("not_found")).body("message", containsString(path));
    }
  }
}
