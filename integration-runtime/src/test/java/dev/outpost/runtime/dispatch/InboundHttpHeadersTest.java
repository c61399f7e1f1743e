package dev.outpost.runtime.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The client's request does not steer the backend calls a route makes; the route still sees it. */
@QuarkusTest
class InboundHttpHeadersTest {

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Test
  void theInboundPathQueryAndMethodDoNotLeakIntoABackendCall() {
    try (Backend backend = Backend.json("{\"ok\":true}")) {
      String source = """
          - route:
              id: leak-in
              from:
                uri: platform-http:/leak/*
                steps:
                  - setProperty:
                      name: seen
                      simple: "${header.CamelHttpMethod} ${header.CamelHttpPath}"
                  - to: %s/target
                  - setBody:
                      simple: "${exchangeProperty.seen}"
          """.formatted(backend.url());
      Integrations.put(management, Integrations.of("leak", "1", source)).then().statusCode(200);

      given().body("payload").put(http + "leak/deeper/path?clientQuery=1").then().statusCode(200)
          .body(equalTo("PUT /leak/deeper/path"));

      Backend.Received call = backend.received().get(0);
      assertThat(call.path()).isEqualTo("/target");
      assertThat(call.query()).isNull();
      assertThat(call.method()).isEqualTo("POST");
      assertThat(call.body()).isEqualTo("payload");
      Integrations.delete(management, "leak").then().statusCode(204);
    }
  }

  /**
   * A backend call carries what the route set, not the client's credentials, identity or address,
   * nor headers made from its query: Camel's HTTP producer sends every message header, and a message
   * starts with the request's headers and query parameters, so a third-party backend received the
   * client's Cookie and Authorization, the gateway's identity headers, and {@code ?X-Real-IP=} as a header.
   */
  @Test
  void aBackendCallCarriesNoneOfTheClientsCredentialsIdentityOrQueryHeaders() {
    try (Backend backend = Backend.json("{\"ok\":true}")) {
      String source = """
          - route:
              id: creds-in
              from:
                uri: platform-http:/creds
                steps:
                  - setHeader:
                      name: X-Api-Token
                      constant: route-set-token
                  - setHeader:
                      name: X-Subject
                      simple: "${header.X-Outpost-Subject}"
                  - to: %s/target
          """.formatted(backend.url());
      Integrations.put(management, Integrations.of("creds", "1", source)).then().statusCode(200);
      try {
        given().header("Cookie", "sid=client-session").header("Authorization", "Bearer client-token")
            .header("X-Outpost-Subject", "alice").header("X-Forwarded-For", "10.1.2.3").header("X-Request-Id", "r-1")
            .get(http + "creds?X-Real-IP=6.6.6.6&password=hunter2").then().statusCode(200);
        Backend.Received call = backend.received().get(0);
        assertThat(call.header("Cookie")).isNull();
        assertThat(call.header("Authorization")).as("a token the gateway forwarded is the caller's to call on with")
            .isEqualTo("Bearer client-token");
        assertThat(call.header("X-Outpost-Subject")).isNull();
        assertThat(call.header("X-Forwarded-For")).isNull();
        assertThat(call.header("X-Real-IP")).isNull();
        assertThat(call.header("password")).isNull();
        assertThat(call.header("X-Api-Token")).as("what the route set goes").isEqualTo("route-set-token");
        assertThat(call.header("X-Subject")).as("identity the route passes on under its own name").isEqualTo("alice");
        assertThat(call.header("X-Request-Id")).as("other request headers pass, as before").isEqualTo("r-1");
      } finally {
        Integrations.delete(management, "creds").then().statusCode(204);
      }
    }
  }

  /**
   * Form fields become message headers too (platform-http reads an urlencoded body into them), so a
   * form's password reached the backend as a {@code password} header, though the route sent a
   * body of its own.
   */
  @Test
  void aBackendCallCarriesNoHeaderMadeFromTheClientsForm() {
    try (Backend backend = Backend.json("{\"ok\":true}")) {
      String source = """
          - route:
              id: form-in
              from:
                uri: platform-http:/form-call
                steps:
                  - setBody:
                      constant: "{}"
                  - setHeader:
                      name: card
                      constant: route-set
                  - to: %s/target
          """.formatted(backend.url());
      Integrations.put(management, Integrations.of("form-call", "1", source)).then().statusCode(200);
      try {
        given().contentType("application/x-www-form-urlencoded").body("password=hunter2&card=4111111111111111&X-Note=n")
            .post(http + "form-call").then().statusCode(200);
        Backend.Received call = backend.received().get(0);
        assertThat(call.header("password")).isNull();
        assertThat(call.header("X-Note")).isNull();
        assertThat(call.header("card")).as("a header the route set under a field's name goes").isEqualTo("route-set");
      } finally {
        Integrations.delete(management, "form-call").then().statusCode(204);
      }
    }
  }

  /**
   * A route that fails after a backend call that succeeded is answered 500: the backend's status
   * stayed on the message ({@code CamelHttpResponseCode}) and Camel answers with it, so the client
   * (and the gateway's breaker) got a 200 with an empty body.
   */
  @Test
  void aRouteFailingAfterABackendCallSucceededIsAnswered500NotTheBackendsStatus() {
    try (Backend backend = Backend.start(r -> new Backend.Reply(200, "text/html", "<html>not json</html>"))) {
      String source = """
          - route:
              id: after-call-in
              from:
                uri: platform-http:/after-call
                steps:
                  - to: %s/page
                  - unmarshal:
                      json: {}
          """.formatted(backend.url());
      Integrations.put(management, Integrations.of("after-call", "1", source)).then().statusCode(200);
      try {
        given().get(http + "after-call").then().statusCode(500);
      } finally {
        Integrations.delete(management, "after-call").then().statusCode(204);
      }
    }
  }

  /**
   * Query parameters become message headers, and platform-http writes message headers into the
   * response: {@code ?Set-Cookie=...} set a cookie on the API's origin, {@code ?Refresh=} redirected,
   * {@code ?Access-Control-Allow-Origin=} opened CORS on a route without a policy.
   */
  @Test
  void queryParametersAreNotEchoedAsResponseHeaders() {
    Integrations.put(management, Integrations.of("echoq", "1", Integrations.constantRoute("echoq", "/echoq", "hello")))
        .then().statusCode(200);
    try {
      var response = given().urlEncodingEnabled(false)
          .get(http + "echoq?Set-Cookie=sid%3Dx%3B%20Domain%3D.acme.example&Refresh=0%3Burl%3Dhttps://evil.example"
              + "&Access-Control-Allow-Origin=https://evil.example&Access-Control-Allow-Credentials=true&Content-Type=text/html")
          .then().statusCode(200).extract();
      assertThat(response.body().asString()).isEqualTo("hello");
      assertThat(response.header("Set-Cookie")).isNull();
      assertThat(response.header("Refresh")).isNull();
      assertThat(response.header("Access-Control-Allow-Origin")).isNull();
      assertThat(response.header("Access-Control-Allow-Credentials")).isNull();
      assertThat(response.header("Content-Type")).as("not the query's").isNotEqualTo("text/html");
    } finally {
      Integrations.delete(management, "echoq").then().statusCode(204);
    }
  }

  /**
   * A query parameter HTTP cannot carry as a header (a control character in its value, a name that
   * is not a token) is left out of the response: Vert.x threw on it, and every integration answered
   * 500 with a stack trace logged. The route still reads it.
   */
  @Test
  void aQueryParameterNoHeaderCanCarryIsAnsweredNot500() {
    deployed("readq", """
        - route:
            id: readq
            from:
              uri: "platform-http:/readq"
              steps:
                - setBody:
                    simple: "x=${header.x}"
        """, () -> {
      for (String query : List.of("x=%00", "a:b=1", "%E9=1", "a%20b=1", "?y=1", "x=%0d%0aSet-Cookie:%20a=b", "Content-Type=a%0db")) {
        var response = given().urlEncodingEnabled(false).get(http + "readq?" + query).then().extract();
        assertThat(response.statusCode()).as(query).isEqualTo(200);
        assertThat(response.header("Set-Cookie")).as(query).isNull();
      }
      assertThat(given().urlEncodingEnabled(false).get(http + "readq?x=a%0d%0aSet-Cookie:%20b").then().statusCode(200)
          .extract().asString()).as("the route still reads it").isEqualTo("x=a\r\nSet-Cookie: b");
    });
  }

  /**
   * A partner's Set-Cookie is the integration's session there: platform-http wrote it into the
   * answer, to every caller. The route still reads it, and a cookie it sets itself is sent.
   */
  @Test
  void aBackendsCookieIsNotPassedToTheCaller() {
    try (Backend backend = Backend.start(r -> new Backend.Reply(200, "application/json", "{}",
        Map.of("Set-Cookie", "partner-session=p-5f6a7b8c; Path=/; HttpOnly")));
        Backend quiet = Backend.json("{}")) {
      String source = """
          - route:
              id: cookie-in
              from:
                uri: platform-http:/cookie-call
                steps:
                  - to: %s/login
                  - setBody:
                      simple: "backend said ${header.Set-Cookie}"
          - route:
              id: own-cookie-in
              from:
                uri: platform-http:/own-cookie
                steps:
                  - to: %s/login
                  - setHeader:
                      name: Set-Cookie
                      constant: "visit=1; Path=/"
          - route:
              id: own-cookie-first-in
              from:
                uri: platform-http:/own-cookie-first
                steps:
                  - setHeader:
                      name: Set-Cookie
                      constant: "first=1; Path=/"
                  - to: %s/audit
          - route:
              id: rest-cookie-in
              from:
                uri: platform-http:/rest-cookie-call
                steps:
                  - to: "rest:get:login?host=%s&producerComponentName=http"
          """.formatted(backend.url(), backend.url(), quiet.url(), backend.url());
      Integrations.put(management, Integrations.of("cookie-call", "1", source)).then().statusCode(200);
      try {
        var partner = given().get(http + "cookie-call").then().statusCode(200).extract();
        assertThat(partner.header("Set-Cookie")).as("the backend's cookie").isNull();
        assertThat(partner.body().asString()).as("what the route read").contains("partner-session=p-5f6a7b8c");

        var own = given().get(http + "own-cookie").then().statusCode(200).extract();
        assertThat(own.headers().getValues("Set-Cookie")).as("the route's own cookie").containsExactly("visit=1; Path=/");

        var rest = given().get(http + "rest-cookie-call").then().statusCode(200).extract();
        assertThat(rest.header("Set-Cookie")).as("the backend's cookie, called through rest:").isNull();

        // set before a call to a backend that sets none: Camel's HTTP producer copies it onto the answer
        var first = given().get(http + "own-cookie-first").then().statusCode(200).extract();
        assertThat(first.headers().getValues("Set-Cookie")).as("the route's cookie set before a call")
            .containsExactly("first=1; Path=/");
      } finally {
        Integrations.delete(management, "cookie-call").then().statusCode(204);
      }
    }
  }

  /**
   * A rest: call fills its path's placeholders from headers, those made from the client's query among
   * them: those it names stay for it, while the query's other fields, the client's credentials and
   * the inbound path still go.
   */
  @Test
  void aRestCallFillsItsPathFromTheQueryButCarriesNoneOfTheClientsCredentials() {
    try (Backend backend = Backend.json("{}")) {
      deployed("rest-order", "- from:\n    uri: platform-http:/rest-order\n    steps:\n"
          + "      - to: \"rest:get:orders/{id}?host=" + backend.url() + "&producerComponentName=http\"\n", () -> {
            given().header("Cookie", "sid=client-session")
                .get(http + "rest-order?id=42&X-User-Id=admin&Authorization=Bearer%20forged").then().statusCode(200);
            Backend.Received call = backend.received().get(0);
            assertThat(call.path()).isEqualTo("/orders/42");
            assertThat(call.header("Cookie")).isNull();
            // the query's other fields are no headers of the call, as on an http: call
            assertThat(call.header("X-User-Id")).isNull();
            assertThat(call.header("Authorization")).isNull();
          });
    }
  }

  /** Deploys {@code source} as integration {@code name} for {@code check}, and removes it after. */
  private void deployed(String name, String source, Runnable check) {
    Integrations.put(management, Integrations.of(name, "1", source)).then().statusCode(200);
    try {
      check.run();
    } finally {
      Integrations.delete(management, name).then().statusCode(204);
    }
  }

  /** A route builds links from CamelHttpUrl: the public one, not the internal versioned one (404, and new at every deploy). */
  @Test
  void theUrlARouteSeesIsThePublicOne() {
    Integrations.put(management, Integrations.of("where", "1", """
        - route:
            id: where-in
            from:
              uri: platform-http:/where
              steps:
                - setBody:
                    simple: "${header.CamelHttpUrl}"
        """)).then().statusCode(200);
    try {
      String url = given().get(http + "where?x=1").then().statusCode(200).extract().asString();
      assertThat(url).doesNotContain("_outpost").contains("/where");
      assertThat(java.net.URI.create(url).getPath()).isEqualTo("/where");
    } finally {
      Integrations.delete(management, "where").then().statusCode(204);
    }
  }

  /**
   * A backend that sets a cookie for one call (a session) does not get it back with the calls made
   * for other clients: the runtime's HTTP client keeps no cookies. Apache HttpClient keeps them per
   * endpoint by default, and one endpoint serves every exchange of a URI, every client's alike.
   */
  @Test
  void aCookieABackendSetsIsNotSentWithLaterCalls() {
    try (Backend backend = Backend.start(r -> new Backend.Reply(200, "application/json", "{}",
        Map.of("Set-Cookie", "session=alice-" + r.query() + "; Path=/")))) {
      String source = """
          - route:
              id: cookie-in
              from:
                uri: platform-http:/cookie-call
                steps:
                  - setHeader:
                      name: CamelHttpQuery
                      simple: "${header.client}"
                  - to: %s/session
          """.formatted(backend.url());
      Integrations.put(management, Integrations.of("cookie-call", "1", source)).then().statusCode(200);

      given().get(http + "cookie-call?client=alice").then().statusCode(200);
      given().get(http + "cookie-call?client=bob").then().statusCode(200);

      assertThat(backend.received()).hasSize(2);
      assertThat(backend.received().get(1).query()).isEqualTo("bob");
      assertThat(backend.received().get(1).header("Cookie")).as("alice's session sent with bob's call").isNull();
      Integrations.delete(management, "cookie-call").then().statusCode(204);
    }
  }

  @Test
  void aMethodTheRouteSetsItselfIsKept() {
    try (Backend backend = Backend.json("{}")) {
      String source = """
          - route:
              id: method-in
              from:
                uri: platform-http:/method-kept
                steps:
                  - setHeader:
                      name: CamelHttpMethod
                      constant: DELETE
                  - to: %s/resource
          """.formatted(backend.url());
      Integrations.put(management, Integrations.of("method-kept", "1", source)).then().statusCode(200);
      given().get(http + "method-kept").then().statusCode(200);
      assertThat(backend.received().get(0).method()).isEqualTo("DELETE");
      assertThat(backend.received().get(0).path()).isEqualTo("/resource");
      Integrations.delete(management, "method-kept").then().statusCode(204);
    }
  }

  @Test
  void identityHeadersFromTheGatewayReachTheRoute() {
    String source = """
        - route:
            id: whoami
            from:
              uri: platform-http:/whoami
              steps:
                - setBody:
                    simple: "${header.X-Outpost-Subject}|${header.X-Outpost-Scopes}|${header.X-Outpost-Project}"
        """;
    Integrations.put(management, Integrations.of("whoami", "1", source)).then().statusCode(200);
    given().header("X-Outpost-Subject", "alice").header("X-Outpost-Scopes", "orders:read orders:write")
        .header("X-Outpost-Project", "proj-a")
        .get(http + "whoami").then().statusCode(200).body(equalTo("alice|orders:read orders:write|proj-a"));
    Integrations.delete(management, "whoami").then().statusCode(204);
  }

  @Test
  void queryParametersAndFormFieldsCannotStandInForTheGatewaysHeaders() {
    String source = """
        - route:
            id: whoami-spoof
            from:
              uri: platform-http:/whoami-spoof
              steps:
                - setBody:
                    simple: "${header.X-Outpost-Subject}|${header.x-outpost-project}|${header.X-Forwarded-For}"
        """;
    Integrations.put(management, Integrations.of("whoami-spoof", "1", source)).then().statusCode(200);
    // a public route: the gateway set no identity, the client names itself in the query
    given().get(http + "whoami-spoof?X-Outpost-Subject=admin&x-outpost-project=other&X-Forwarded-For=10.0.0.1")
        .then().statusCode(200).body(equalTo("||"));
    // an authenticated route: the gateway's subject, not a list with the client's
    given().header("X-Outpost-Subject", "alice").get(http + "whoami-spoof?x-outpost-subject=admin")
        .then().statusCode(200).body(equalTo("alice||"));
    // a form body
    given().header("X-Outpost-Subject", "alice").contentType("application/x-www-form-urlencoded")
        .body("X-Outpost-Subject=admin&X-Outpost-Project=other").post(http + "whoami-spoof")
        .then().statusCode(200).body(equalTo("alice||"));
    Integrations.delete(management, "whoami-spoof").then().statusCode(204);
  }

  @Test
  void aRestDslRouteCannotBeGivenTheGatewaysHeadersByQueryEither() {
    String source = """
        - rest:
            path: /whoami-rest
            get:
              - to: direct:whoami-rest
        - route:
            id: whoami-rest-impl
            from:
              uri: direct:whoami-rest
              steps:
                - setBody:
                    simple: "${header.X-Outpost-Subject}|${header.X-Outpost-Project}"
        """;
    Integrations.put(management, Integrations.of("whoami-rest", "1", source)).then().statusCode(200);
    given().get(http + "whoami-rest?X-Outpost-Subject=admin&X-Outpost-Project=other").then().statusCode(200)
        .body(equalTo("|"));
    given().header("X-Outpost-Subject", "alice").get(http + "whoami-rest?X-Outpost-Subject=admin").then()
        .statusCode(200).body(equalTo("alice|"));
    Integrations.delete(management, "whoami-rest").then().statusCode(204);
  }

  @Test
  void anIntegrationCallingAnotherDoesNotPassOnWhereTheGatewayRoutedItsOwnRequest() {
    Integrations.put(management, Integrations.of("called", "1", """
        - route:
            id: called
            from:
              uri: platform-http:/called
              steps:
                - setBody:
                    constant: called
        """)).then().statusCode(200);
    Integrations.put(management, Integrations.of("caller", "1", """
        - route:
            id: caller
            from:
              uri: platform-http:/caller
              steps:
                - to: "{{config.RUNTIME}}/called?bridgeEndpoint=true"
        """, Map.of("RUNTIME", http.toString().replaceAll("/$", "")), List.of())).then().statusCode(200);
    // the gateway routed this request to 'caller', which calls 'called' in the same runtime
    given().header("X-Outpost-Integration", "caller").header("X-Outpost-Route", "caller-route")
        .get(http + "caller").then().statusCode(200).body(equalTo("called"));
    Integrations.delete(management, "caller").then().statusCode(204);
    Integrations.delete(management, "called").then().statusCode(204);
  }

  @Test
  void aRequestTheGatewayRoutedToOneIntegrationReachesNoOtherInTheSharedRuntime() {
    String source = """
        - route:
            id: private-orders
            from:
              uri: platform-http:/private-orders
              steps:
                - setBody:
                    constant: orders
        """;
    Integrations.put(management, Integrations.of("private-orders", "1", source)).then().statusCode(200);
    Integrations.put(management, Integrations.of("catalog", "1",
        Integrations.constantRoute("catalog", "/catalog-items", "items"))).then().statusCode(200);
    // a public route of 'catalog' with stripPrefix turned /catalog/private-orders into /private-orders
    given().header("X-Outpost-Integration", "catalog").get(http + "private-orders").then().statusCode(404)
        .body(containsString("integration 'catalog' has no endpoint at /private-orders"));
    given().header("X-Outpost-Integration", "private-orders").get(http + "private-orders").then().statusCode(200)
        .body(equalTo("orders"));
    Integrations.delete(management, "private-orders").then().statusCode(204);
    Integrations.delete(management, "catalog").then().statusCode(204);
  }

  /**
   * The gateway routed a request to an integration that serves nothing here (its first version failed
   * to deploy, or it is not deployed yet): 503, as Kong and Envoy answer for an upstream that is not
   * running, where a 404 told the client its URL was wrong.
   */
  @Test
  void aRequestForAnIntegrationThatIsNotRunningIs503() {
    given().header("X-Outpost-Integration", "never-deployed").get(http + "never-deployed/items").then().statusCode(503)
        .body(containsString("integration 'never-deployed' is not running"));
    // not so without the gateway's word: a path no integration serves
    given().get(http + "never-deployed/items").then().statusCode(404);
    // one that runs with no HTTP endpoint (a timer) is no integration down
    Integrations.put(management, Integrations.of("ticker", "1", """
        - route:
            id: ticker
            from:
              uri: timer:ticker?period=60000
              steps:
                - log: tick
        """)).then().statusCode(200);
    given().header("X-Outpost-Integration", "ticker").get(http + "ticker/items").then().statusCode(404)
        .body(containsString("integration 'ticker' has no endpoint at /ticker/items"));
    Integrations.delete(management, "ticker").then().statusCode(204);
  }

  @Test
  void requestOnlyHeadersAreNotEchoedInTheResponseButTheRoutesOwnHeadersAre() {
    String source = """
        - route:
            id: echo-check
            from:
              uri: platform-http:/echo-check
              steps:
                - setHeader:
                    name: X-Order-Id
                    constant: A-1
                - setBody:
                    simple: "${header.X-Outpost-Subject}"
        """;
    Integrations.put(management, Integrations.of("echo-check", "1", source)).then().statusCode(200);
    var response = given().header("X-Outpost-Subject", "alice").header("X-Outpost-Project", "proj-a")
        .header("X-Forwarded-For", "10.0.0.1").header("Forwarded", "for=10.0.0.1")
        .header("Authorization", "Bearer secret-token").header("Cookie", "session=1")
        .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .get(http + "echo-check").then().statusCode(200).body(equalTo("alice")).extract();
    assertThat(response.header("X-Order-Id")).isEqualTo("A-1");
    for (String requestOnly : new String[] {"X-Outpost-Subject", "X-Outpost-Project", "X-Forwarded-For",
        "Forwarded", "Authorization", "Cookie", "traceparent"}) {
      assertThat(response.header(requestOnly)).as(requestOnly + " echoed to the client").isNull();
    }
    Integrations.delete(management, "echo-check").then().statusCode(204);
  }

  @Test
  void theRequestBodysContentEncodingIsNotClaimedForTheResponse() throws Exception {
    Integrations.put(management, Integrations.of("encoded-upload", "1",
        Integrations.constantRoute("encoded-upload", "/encoded-upload", "stored"))).then().statusCode(200);
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
      gzip.write("{\"order\":1}".getBytes(StandardCharsets.UTF_8));
    }
    // a client that compresses its uploads; the JDK client does not decode responses on its own
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(http + "encoded-upload")).header("Content-Encoding", "gzip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("stored");
    assertThat(response.headers().firstValue("Content-Encoding")).as("the response body is not gzip").isEmpty();
    Integrations.delete(management, "encoded-upload").then().statusCode(204);
  }

  /**
   * A request head as large as the gateway forwards: a client's head at the gateway's 16 KiB limit,
   * then the identity headers it makes from the token (its scopes as long as the token) and the
   * forwarding headers it adds (the client's Host twice more). Quarkus' default 20 KiB answered 431 to
   * requests the gateway had let through.
   */
  @Test
  void aRequestHeadAsLargeAsTheGatewayForwardsIsServed() {
    Integrations.put(management, Integrations.of("large-head", "1",
        Integrations.constantRoute("large-head", "/large-head", "served"))).then().statusCode(200);
    String host = "h".repeat(1_000) + ".example";
    given().header("X-Client-Header", "c".repeat(14 * 1024))
        .header("X-Outpost-Scopes", "s".repeat(14 * 1024))
        .header("X-Forwarded-Host", host).header("Forwarded", "for=192.0.2.1;host=\"" + host + "\";proto=https")
        .get(http + "large-head").then().statusCode(200).body(equalTo("served"));
    Integrations.delete(management, "large-head").then().statusCode(204);
  }
}
