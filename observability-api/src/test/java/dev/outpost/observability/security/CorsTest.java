package dev.outpost.observability.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The browser console calls the query API cross-origin: only listed origins, preflight without a token. */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class CorsTest {

  private static Response preflight(String origin) {
    return given().header("Origin", origin).header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization").options("/api/v1/logs");
  }

  @Test
  void preflightFromAListedOriginIsAnsweredWithoutAToken() {
    Response response = preflight("http://console.test");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("http://console.test");
    assertThat(response.header("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(response.header("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");
  }

  @Test
  void otherOriginsAreNotAllowedAndNoWildcardIsEverSent() {
    for (String origin : List.of("http://evil.test", "null", "http://console.test.evil.test")) {
      Response response = preflight(origin);
      assertThat(response.header("Access-Control-Allow-Origin")).as(origin).isNotEqualTo(origin).isNotEqualTo("*");
    }
    String token = TestIdpResource.idp().token("alice", List.of("cors-project"));
    Response actual = given().auth().oauth2(token).header("Origin", "http://evil.test").get("/api/v1/logs");
    assertThat(actual.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void aListedOriginReadsWithItsToken() {
    String token = TestIdpResource.idp().token("alice", List.of("cors-project"));
    Response response = given().auth().oauth2(token).header("Origin", "http://console.test").get("/api/v1/logs");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("http://console.test");
    // the answer depends on the origin, and holds a project's records: no cache keeps it
    assertThat(response.header("Vary")).containsIgnoringCase("Origin");
    assertThat(response.header("Cache-Control")).isEqualTo("no-store");
    // records are an integration's text: opened directly, an answer is never sniffed, run or framed
    assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(response.header("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
  }
}
