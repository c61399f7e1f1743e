package dev.outpost.observability.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.RawHttp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Requests a client gets wrong: each is a 400 (or served) that names what is wrong, never a 500. */
@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class BadRequestsTest {

  @TestHTTPResource("/")
  URL api;

  private final String token = TestIdpResource.idp().token("bea", List.of("bad-requests"));

  /** Refused by the HTTP server itself, as nginx refuses a bad request line: before any handler, so not a 500. */
  @Test
  void aQueryStringThatIsNotPercentEncodingIsA400() throws Exception {
    for (String query : List.of("q=%ZZ", "q=a%", "limit=1&q=%G1")) {
      String response = RawHttp.exchange(api.getPort(), "GET /api/v1/logs?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
          + "\r\nConnection: close\r\n\r\n");
      assertThat(response).as(query).startsWith("HTTP/1.1 400");
    }
  }

  /**
   * A parameter the endpoint does not take, or one given twice: ignored, {@code service} on the logs
   * (the traces take it) or Loki's {@code start} and {@code end} answered the last hour unfiltered,
   * with a 200; a second project or attribute value was dropped without a word.
   */
  @Test
  void aParameterTheEndpointDoesNotTakeOrOneGivenTwiceIsA400NamingIt() {
    Response unknown = given().auth().oauth2(token).queryParam("service", "checkout").get("/api/v1/logs");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.jsonPath().getString("message")).contains("'service'").contains("q, from, to");
    Response loki = given().auth().oauth2(token).queryParam("start", "1700000000000").get("/api/v1/logs/histogram");
    assertThat(loki.statusCode()).isEqualTo(400);
    assertThat(loki.jsonPath().getString("message")).contains("'start'");
    Response twice = given().auth().oauth2(token).queryParam("project", "bad-requests", "other").get("/api/v1/logs");
    assertThat(twice.statusCode()).isEqualTo(400);
    assertThat(twice.jsonPath().getString("message")).contains("'project'").contains("twice");
    Response attrTwice = given().auth().oauth2(token).queryParam("attr.k", "1", "2").get("/api/v1/traces");
    assertThat(attrTwice.statusCode()).isEqualTo(400);

    assertThat(given().auth().oauth2(token).queryParam("attr.http.route", "/x").queryParam("service", "s")
        .get("/api/v1/traces").statusCode()).as("what the traces take").isEqualTo(200);
    assertThat(given().auth().oauth2(token).queryParam("limit", "5").queryParam("severity", "WARN")
        .get("/api/v1/logs").statusCode()).isEqualTo(200);
    assertThat(given().auth().oauth2(token).queryParam("lookback", "1h").queryParam("service", "s")
        .get("/jaeger/api/traces").statusCode()).as("Jaeger's API ignores what it does not know, as Jaeger does")
        .isNotEqualTo(400);
  }

  @Test
  void moreAttributeConditionsThanASearchTakesAreA400NamingThem() {
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < 1100; i++) {
      params.put("attr.k" + i, "v");
    }
    Response response = given().auth().oauth2(token).queryParams(params).get("/api/v1/traces");
    assertThat(response.statusCode()).isEqualTo(400);
    // the server reads the first 1,024 parameters; each condition was a clause, and Lucene refuses
    // a query of more than 1,024: a 500
    assertThat(response.asString()).contains("at most 64 attr.<key> parameters, got");
  }

  @Test
  void aTailForATokenThatNeverExpiresOpens() throws Exception {
    String forever = TestIdpResource.idp().token("bea", Map.of("projects", List.of("bad-requests"), "exp", 40_000_000_000_000_000L));
    HttpRequest request = HttpRequest.newBuilder(api.toURI().resolve("/api/v1/logs/tail"))
        .header("Authorization", "Bearer " + forever).header("Accept", "text/event-stream").build();
    HttpResponse<InputStream> response = HttpClient.newHttpClient()
        .sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
    try {
      assertThat(response.statusCode()).isEqualTo(200);
    } finally {
      response.body().close();
    }
  }
}
