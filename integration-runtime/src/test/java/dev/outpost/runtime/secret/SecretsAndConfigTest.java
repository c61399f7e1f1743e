package dev.outpost.runtime.secret;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import dev.outpost.spec.model.SecretRef;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {{config.KEY}} and {{secret.NAME.KEY}} resolved per integration; secret values never shown. */
@QuarkusTest
class SecretsAndConfigTest {

  static final String SECRET = "s3cr3t-Value-7d1f";
  static final Path SECRETS = Path.of("target/test-state/secrets");

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @BeforeAll
  static void writeSecret() throws Exception {
    Files.createDirectories(SECRETS.resolve("billing-api"));
    Files.writeString(SECRETS.resolve("billing-api/token"), SECRET + "\n");
  }

  @Test
  void configAndSecretsReachTheRouteAndTheBackend() throws Exception {
    try (Backend backend = Backend.json("{\"paid\":true}")) {
      String source = """
          - route:
              id: billing-in
              from:
                uri: platform-http:/billing
                steps:
                  - log: "calling billing with ${header.Authorization}"
                  - setHeader:
                      name: Authorization
                      simple: "Bearer {{secret.billing-api.token}}"
                  - setHeader:
                      name: X-Tenant
                      constant: "{{config.tenant}}"
                  - log: "calling billing with ${header.Authorization}"
                  - to: "{{config.backend}}/invoices"
          """;
      var integration = Integrations.of("billing", "1", source,
          Map.of("tenant", "acme", "backend", backend.url()), List.of(new SecretRef("billing-api", "token")));
      Integrations.put(management, integration).then().statusCode(200);

      given().get(http + "billing").then().statusCode(200).body("paid", equalTo(true));
      Backend.Received call = backend.received().get(0);
      assertThat(call.header("Authorization")).isEqualTo("Bearer " + SECRET);
      assertThat(call.header("X-Tenant")).isEqualTo("acme");

      given().get(Integrations.base(management) + "outpost/integrations").then()
          .body(not(containsString(SECRET)));
      String log = Files.readString(Path.of("target/quarkus.log"));
      assertThat(log).contains("calling billing with Bearer ****").doesNotContain(SECRET);
      Integrations.delete(management, "billing").then().statusCode(204);
    }
  }

  /**
   * A secret a route puts in a request header for its backend does not come back to the client:
   * Camel's HTTP producer keeps the request's headers on the reply, and platform-http writes them
   * into the response, on success and on failure alike.
   */
  @Test
  void aSecretSetInABackendCallsHeaderIsNotInTheResponse() throws Exception {
    try (Backend backend = Backend.json("{\"ok\":true}")) {
      String source = """
          - route:
              id: token-in
              from:
                uri: platform-http:/token-call
                steps:
                  - setHeader:
                      name: X-Api-Token
                      simple: "{{secret.billing-api.token}}"
                  - setHeader:
                      name: X-Signed
                      simple: "v1 {{secret.billing-api.token}} end"
                  - to: "{{config.backend}}/call"
          """;
      Integrations.put(management, Integrations.of("token-call", "1", source, Map.of("backend", backend.url()),
          List.of(new SecretRef("billing-api", "token")))).then().statusCode(200);
      try {
        var ok = given().get(http + "token-call").then().statusCode(200).extract();
        assertThat(backend.received().get(0).header("X-Api-Token")).as("the backend gets it").isEqualTo(SECRET);
        assertThat(ok.headers().toString()).doesNotContain(SECRET);
        backend.respond(r -> new Backend.Reply(500, "text/plain", "crm down"));
        var failed = given().get(http + "token-call").then().extract();
        assertThat(failed.statusCode()).isGreaterThanOrEqualTo(500);
        assertThat(failed.headers().toString()).doesNotContain(SECRET);
        assertThat(failed.body().asString()).doesNotContain(SECRET);
      } finally {
        Integrations.delete(management, "token-call").then().statusCode(204);
      }
    }
  }

  /**
   * A secret value is taken as it is, whatever it holds: one with {{…}} in it (generated passwords
   * can) was read by Camel as a placeholder again, so the deploy failed with "Property with key
   * [<part of the secret>] not found" in its status, a part the redaction of whole values missed.
   */
  @Test
  void aSecretValueHoldingBracesIsTakenAsItIs() throws Exception {
    String braced = "pa{{ss-part-7f8e}}word";
    Files.createDirectories(SECRETS.resolve("braced"));
    Files.writeString(SECRETS.resolve("braced/value"), braced);
    try (Backend backend = Backend.json("{}")) {
      String source = """
          - route:
              id: braced-in
              from:
                uri: platform-http:/braced
                steps:
                  - setHeader:
                      name: X-Key
                      constant: "{{secret.braced.value}}"
                  - to: "{{config.backend}}/keyed"
          """;
      Integrations.put(management, Integrations.of("braced", "1", source, Map.of("backend", backend.url()),
          List.of(new SecretRef("braced", "value")))).then().statusCode(200);
      given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'braced' }.phase", equalTo("Ready"))
          .body(not(containsString("ss-part-7f8e")));
      given().get(http + "braced").then().statusCode(200);
      assertThat(backend.received().get(0).header("X-Key")).isEqualTo(braced);
      Integrations.delete(management, "braced").then().statusCode(204);
    }
  }

  @Test
  void twoIntegrationsEachSeeTheirOwnConfig() {
    String source = """
        - route:
            id: %s
            from:
              uri: platform-http:/%s
              steps:
                - setBody:
                    constant: "{{config.greeting}}"
        """;
    Integrations.put(management, Integrations.of("cfg-a", "1", source.formatted("cfg-a", "cfg-a"),
        Map.of("greeting", "hello from a"), List.of())).then().statusCode(200);
    Integrations.put(management, Integrations.of("cfg-b", "1", source.formatted("cfg-b", "cfg-b"),
        Map.of("greeting", "hello from b"), List.of())).then().statusCode(200);
    given().get(http + "cfg-a").then().body(equalTo("hello from a"));
    given().get(http + "cfg-b").then().body(equalTo("hello from b"));
    Integrations.delete(management, "cfg-a").then().statusCode(204);
    Integrations.delete(management, "cfg-b").then().statusCode(204);
  }

  /** A path from config is the path served: its text {{…}} read as one {param} segment, matching every one-segment path. */
  @Test
  void aPathFromConfigIsServedAsItResolves() {
    Integrations.put(management, Integrations.of("cfg-path", "1", Integrations.constantRoute("cfg-path", "{{config.PATH}}", "deep"),
        Map.of("PATH", "/cfg-path/deep/er"), List.of())).then().statusCode(200);
    given().get(http + "cfg-path/deep/er").then().statusCode(200).body(equalTo("deep"));
    Integrations.put(management, Integrations.of("cfg-beside", "1", Integrations.constantRoute("cfg-beside", "/cfg-beside", "beside"),
        Map.of(), List.of())).then().statusCode(200);
    given().get(http + "cfg-beside").then().statusCode(200).body(equalTo("beside"));
    // the rest component's consumer too
    String rest = """
        - route:
            id: cfg-rest
            from:
              uri: "rest:get:{{config.RPATH}}"
              steps:
                - setBody:
                    constant: "rest"
        """;
    Integrations.put(management, Integrations.of("cfg-rest", "1", rest, Map.of("RPATH", "/cfg-rest/deep"), List.of()))
        .then().statusCode(200);
    given().get(http + "cfg-rest/deep").then().statusCode(200).body(equalTo("rest"));
    Integrations.delete(management, "cfg-path");
    Integrations.delete(management, "cfg-beside");
    Integrations.delete(management, "cfg-rest");
  }

  /**
   * An endpoint's methods and prefix matching from config are the ones served: read as written,
   * "{{config.METHOD}}" matched no request (405 for GET, with the integration Ready) and overlapped
   * no other integration's endpoint, and a prefix endpoint served its path alone.
   */
  @Test
  void anEndpointsMethodsAndPrefixMatchingFromConfigAreServedAsTheyResolve() {
    String source = """
        - route:
            id: cfg-verbs
            from:
              uri: "platform-http:/cfg-verbs?httpMethodRestrict={{config.METHOD}}&matchOnUriPrefix={{config.PREFIX}}"
              steps:
                - setBody:
                    constant: "verbs"
        """;
    Integrations.put(management, Integrations.of("cfg-verbs", "1", source, Map.of("METHOD", "GET", "PREFIX", "true"),
        List.of())).then().statusCode(200);
    try {
      given().get(http + "cfg-verbs").then().statusCode(200).body(equalTo("verbs"));
      given().get(http + "cfg-verbs/under").then().statusCode(200).body(equalTo("verbs"));
      // RFC 9110 15.5.6: a 405 says which methods the path takes
      given().post(http + "cfg-verbs").then().statusCode(405).header("Allow", "GET, HEAD");
      // another integration's GET of the same path overlaps it
      Integrations.put(management, Integrations.of("cfg-verbs-clash", "1",
              Integrations.constantRoute("cfg-verbs-clash", "/cfg-verbs", "clash"), Map.of(), List.of()))
          .then().statusCode(422).body("message", org.hamcrest.Matchers.containsString("already served by integration 'cfg-verbs'"));
    } finally {
      Integrations.delete(management, "cfg-verbs");
      Integrations.delete(management, "cfg-verbs-clash");
    }
  }

  @Test
  void aSecretInAFailedLoadIsRedactedFromTheStatusMessageAndTheLogs() throws Exception {
    String source = """
        - route:
            id: leaky
            from:
              uri: platform-http:/leaky
              steps:
                - to: "nosuchcomponent:{{secret.billing-api.token}}"
        """;
    var integration = Integrations.of("leaky", "1", source, Map.of(),
        List.of(new SecretRef("billing-api", "token")));
    Integrations.put(management, integration).then().statusCode(422)
        .body("phase", equalTo("Failed"))
        .body("message", containsString("nosuchcomponent"))
        .body("message", containsString("****"))
        .body("message", not(containsString(SECRET)));
    String log = Files.readString(Path.of("target/quarkus.log"));
    assertThat(log).contains("leaky").doesNotContain(SECRET);
  }
}
