package dev.outpost.gateway.cors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.RawHttp;
import dev.outpost.gateway.support.TestRoutes;
import dev.outpost.gateway.support.Tokens;
import dev.outpost.spec.model.RouteAuth;
import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.model.RoutingTable;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CORS on a JWT route: preflights answered before authentication, actual responses decorated, refusals clean. */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class CorsTest {

  @TestHTTPResource("/")
  URL gateway;

  @BeforeEach
  void clear() {
    GatewayTestEnvironment.upstream.clear();
  }

  private RawHttp.Response send(String request) throws Exception {
    return RawHttp.send(gateway.getPort(), request);
  }

  @Test
  void anAllowedPreflightIsAnsweredWithoutCredentialsAndNeverGoesUp() throws Exception {
    RawHttp.Response response = send("OPTIONS /cors/items HTTP/1.1\r\nHost: gw\r\nOrigin: https://console.example.com\r\n"
        + "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: authorization, content-type\r\n\r\n");
    assertThat(response.status()).isEqualTo(204);
    assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("https://console.example.com");
    assertThat(response.header("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(response.header("Access-Control-Allow-Methods")).isEqualTo("GET, PUT");
    assertThat(response.header("Access-Control-Max-Age")).isEqualTo("120");
    assertThat(response.header("Date")).isNotNull();
    assertThat(GatewayTestEnvironment.upstream.count()).isZero();
  }

  /**
   * Each refusal is the CORS policy's own (403, naming what it refuses), not a 404 from no route
   * matching: {@code /cors-any-header} serves every method, so only its policy refuses a TRACE.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "other origin|/cors|https://evil.example.com|GET||origin https://evil.example.com",
      "origin differing by scheme|/cors|http://console.example.com|GET||origin http://console.example.com",
      "origin as a suffix|/cors|https://console.example.com.evil.test|GET||origin https://console.example.com.evil.test",
      "method not allowed|/cors-any-header|https://console.example.com|TRACE||method TRACE",
      "header not allowed|/cors|https://console.example.com|GET|X-Outpost-Subject|header X-Outpost-Subject",
  })
  void aRefusedPreflightGets403WithoutCorsHeaders(String name, String path, String origin, String method, String headers,
      String refused) throws Exception {
    RawHttp.Response response = send("OPTIONS " + path + "/items HTTP/1.1\r\nHost: gw\r\nOrigin: " + origin + "\r\n"
        + "Access-Control-Request-Method: " + method + "\r\n"
        + (headers == null ? "" : "Access-Control-Request-Headers: " + headers + "\r\n") + "\r\n");
    assertThat(response.status()).isEqualTo(403);
    assertThat(response.body()).contains("CORS: " + refused + " is not allowed");
    assertThat(response.header("Access-Control-Allow-Origin")).isNull();
    assertThat(GatewayTestEnvironment.upstream.count()).isZero();
  }

  /**
   * A policy naming no methods, on a route naming none, allows every method the route serves: the
   * default was GET, HEAD and POST, which browsers never preflight, so a PUT from the console failed.
   */
  @Test
  void aPreflightOnARouteServingEveryMethodAllowsThemAll() throws Exception {
    for (String method : List.of("PUT", "PATCH", "DELETE")) {
      RawHttp.Response response = send("OPTIONS /cors-any-header/items HTTP/1.1\r\nHost: gw\r\nOrigin: https://console.example.com\r\n"
          + "Access-Control-Request-Method: " + method + "\r\n\r\n");
      assertThat(response.status()).as(method).isEqualTo(204);
      assertThat(response.header("Access-Control-Allow-Methods")).isEqualTo("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    }
    assertThat(GatewayTestEnvironment.upstream.count()).isZero();
  }

  @Test
  void actualRequestsFromAnAllowedOriginAreDecorated() throws Exception {
    RawHttp.Response response = send("GET /cors/items HTTP/1.1\r\nHost: gw\r\nOrigin: https://console.example.com\r\n"
        + "Authorization: Bearer " + Tokens.valid("alice", null) + "\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("https://console.example.com");
    assertThat(response.header("Access-Control-Expose-Headers")).isEqualTo("X-Request-Id");
    assertThat(response.header("Vary")).contains("Origin");

    RawHttp.Response foreign = send("GET /cors/items HTTP/1.1\r\nHost: gw\r\nOrigin: https://evil.example.com\r\n"
        + "Authorization: Bearer " + Tokens.valid("alice", null) + "\r\n\r\n");
    assertThat(foreign.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void anAnswerWithoutAnOriginStillVariesByOriginAndCarriesNoCorsHeadersOfTheUpstream() throws Exception {
    RawHttp.Response response = send("GET /cors/acao HTTP/1.1\r\nHost: gw\r\n"
        + "Authorization: Bearer " + Tokens.valid("alice", null) + "\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Vary")).as("a shared cache keeps it apart from answers to browsers").contains("Origin");
    assertThat(response.header("Access-Control-Allow-Origin")).as("the upstream's wildcard, on a credentialed route")
        .isNull();
  }

  @Test
  void aWildcardOfHeadersAllowsWhatThePreflightAsksFor() throws Exception {
    RawHttp.Response response = send("OPTIONS /cors-any-header/items HTTP/1.1\r\nHost: gw\r\n"
        + "Origin: https://console.example.com\r\nAccess-Control-Request-Method: GET\r\n"
        + "Access-Control-Request-Headers: x-custom, content-type\r\n\r\n");
    assertThat(response.status()).isEqualTo(204);
    assertThat(response.header("Access-Control-Allow-Headers")).isEqualTo("x-custom, content-type");
    assertThat(response.header("Access-Control-Allow-Credentials")).isEqualTo("true");
  }

  @Test
  void anActualRequestStillNeedsItsCredentials() throws Exception {
    RawHttp.Response response = send("GET /cors/items HTTP/1.1\r\nHost: gw\r\nOrigin: https://console.example.com\r\n\r\n");
    assertThat(response.status()).isEqualTo(401);
    assertThat(GatewayTestEnvironment.upstream.count()).isZero();
  }

  /** Replaces the routing table and waits until a POST to {@code /orders/x} gets {@code status}. */
  private void useTable(java.util.List<dev.outpost.spec.model.Route> routes, int status) throws Exception {
    useTable(routes, status, "/orders/x");
  }

  /** Writes {@code routes} and waits until a POST to {@code probe} gets {@code status}, the sign the table is in use. */
  private void useTable(java.util.List<dev.outpost.spec.model.Route> routes, int status, String probe) throws Exception {
    TestRoutes.write(GatewayTestEnvironment.home, new RoutingTable(GatewayTestEnvironment.nextRevision(),
        GatewayTestEnvironment.identityProviders(), routes));
    long deadline = System.currentTimeMillis() + 5000;
    while (send("POST " + probe + " HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\n\r\n").status() != status) {
      assertThat(System.currentTimeMillis()).as("table in use").isLessThan(deadline);
      Thread.sleep(50);
    }
    GatewayTestEnvironment.upstream.clear();
  }

  @Test
  void aPreflightShapedOptionsOnARouteWithoutCorsIsMatchedAndAuthenticatedAsOptions() throws Exception {
    java.util.List<dev.outpost.spec.model.Route> routes = new java.util.ArrayList<>(GatewayTestEnvironment.baseRoutes());
    routes.removeIf(r -> r.match().pathPrefix().startsWith("/orders"));
    routes.add(TestRoutes.route("orders-read", new RouteMatch("/orders", java.util.List.of(), java.util.List.of("GET")), false,
        RouteAuth.anonymous(), null, null));
    routes.add(TestRoutes.route("orders-admin", new RouteMatch("/orders", java.util.List.of(), java.util.List.of()), false,
        TestRoutes.apiKey("X-API-Key", "api-keys", "keys"), null, null));
    useTable(routes, 401);
    try {
      RawHttp.Response response = send("OPTIONS /orders/42 HTTP/1.1\r\nHost: gw\r\nOrigin: https://x\r\n"
          + "Access-Control-Request-Method: GET\r\n\r\n");
      assertThat(response.status()).isEqualTo(401);
      assertThat(GatewayTestEnvironment.upstream.poll(200)).isNull();
    } finally {
      useTable(GatewayTestEnvironment.baseRoutes(), 200);
    }
  }

  /**
   * A preflight for a route without a CORS policy is not approved by the policy of a shorter route
   * that serves OPTIONS on the same path, which may be another project's.
   */
  @Test
  void aPreflightForARouteWithoutCorsIsNotApprovedByAnotherRoutesPolicy() throws Exception {
    java.util.List<dev.outpost.spec.model.Route> routes = new java.util.ArrayList<>(GatewayTestEnvironment.baseRoutes());
    routes.add(TestRoutes.route("app", new RouteMatch("/app", java.util.List.of(), java.util.List.of()), false,
        RouteAuth.anonymous(), null, new dev.outpost.spec.model.Cors(java.util.List.of("https://console.example.com"),
            java.util.List.of(), java.util.List.of("Content-Type"), java.util.List.of(), false, 120)));
    routes.add(TestRoutes.route("app-admin", new RouteMatch("/app/admin", java.util.List.of(), java.util.List.of("POST")), false,
        TestRoutes.apiKey("X-API-Key", "api-keys", "keys"), null, null));
    useTable(routes, 200, "/app/x");
    try {
      RawHttp.Response response = send("OPTIONS /app/admin/x HTTP/1.1\r\nHost: gw\r\nOrigin: https://console.example.com\r\n"
          + "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: Content-Type\r\n\r\n");
      assertThat(response.status()).isEqualTo(403);
      assertThat(response.header("Access-Control-Allow-Origin")).isNull();
      RawHttp.Response own = send("OPTIONS /app/x HTTP/1.1\r\nHost: gw\r\nOrigin: https://console.example.com\r\n"
          + "Access-Control-Request-Method: POST\r\n\r\n");
      assertThat(own.status()).as("the route's own paths keep their policy").isEqualTo(204);
      assertThat(GatewayTestEnvironment.upstream.poll(200)).isNull();
    } finally {
      useTable(GatewayTestEnvironment.baseRoutes(), 200);
    }
  }
}
