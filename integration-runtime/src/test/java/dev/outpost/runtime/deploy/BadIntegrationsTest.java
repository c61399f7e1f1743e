package dev.outpost.runtime.deploy;

import static dev.outpost.runtime.Integrations.constantRoute;
import static dev.outpost.runtime.Integrations.httpRoute;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.outpost.runtime.Integrations;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.SecretRef;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A table of bad integrations: each is reported {@code Failed} with a clear message, leaves nothing
 * behind in the CamelContext, and the integration already running keeps serving.
 */
@QuarkusTest
class BadIntegrationsTest {

  /** A route configuration's intercept: had it reached Camel, every later integration's replies would carry it. */
  private static final String HIJACKING_INTERCEPT = """
      intercept:
        - intercept:
            steps:
              - setHeader:
                  name: X-Hijacked
                  constant: "yes"
      """;

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Inject
  CamelContext camel;

  @Inject
  IntegrationDeployer deployer;

  record Case(String why, Integration integration, List<String> messageContains) {}

  static final String OWNER_SOURCE = constantRoute("owner-route", "/owned", "owner")
      + constantRoute("owner-items", "/owned/items/{id}", "item");

  static List<Case> cases() {
    return List.of(
        new Case("YAML syntax error", Integrations.of("bad-yaml", "1", httpRoute("bad-yaml", "/bad-yaml", """
            - setBody:
              constant: [unclosed
            """)), List.of("not valid YAML", "flow sequence (line 7, column 21)", "(line 8, column 1)")),
        new Case("unknown DSL element", Integrations.of("bad-step", "1", httpRoute("bad-step", "/bad-step", """
            - frobnicate:
                constant: x
            """)), List.of("frobnicate", "line")),
        // Camel's YAML DSL takes some steps only with their options written out, and said only
        // "UnsupportedOperationException"; then the message named no line
        new Case("a step in a short form the YAML DSL does not take", Integrations.of("bad-short", "1",
            httpRoute("bad-short", "/bad-short", """
            - log: fine
            - wireTap: seda:audit
            """)), List.of("step wireTap (line 7, column 11) is given as a plain value", "uri:")),
        new Case("the same route id twice in one integration", Integrations.of("bad-twice", "1",
            constantRoute("twice", "/bad-twice", "a") + constantRoute("twice", "/bad-twice-too", "b")),
            List.of("Duplicate id detected: twice")),
        new Case("component not shipped", Integrations.of("bad-kafka", "1", httpRoute("bad-kafka", "/bad-kafka", """
            - to: kafka:orders
            """)), List.of("No endpoint could be found for: kafka://orders",
            "Outpost ships these components:", "platform-http", "http", "direct", "timer")),
        new Case("file component withheld", Integrations.of("bad-file", "1", httpRoute("bad-file", "/bad-file", """
            - to: "file:target/test-state/secrets"
            """)), List.of("'file' component is not available to integrations")),
        new Case("path served by another integration", Integrations.of("bad-path", "1",
            constantRoute("bad-path", "/owned", "thief")),
            List.of("HTTP path /owned is already served by integration 'owner'")),
        new Case("same path template with another parameter name", Integrations.of("bad-template", "1",
            constantRoute("bad-template", "/owned/items/{itemId}", "thief")),
            List.of("/owned/items/{itemId}", "already served by integration 'owner'")),
        new Case("literal path inside another integration's template", Integrations.of("bad-literal", "1",
            constantRoute("bad-literal", "/owned/items/special", "thief")),
            List.of("/owned/items/special", "already served by integration 'owner'")),
        new Case("wildcard over another integration's paths", Integrations.of("bad-wildcard", "1",
            constantRoute("bad-wildcard", "/owned/*", "thief")),
            List.of("/owned/*", "already served by integration 'owner'")),
        new Case("rest component on another integration's path", Integrations.of("bad-rest", "1", """
            - route:
                id: bad-rest
                from:
                  uri: "rest:get:/owned"
                  steps:
                    - setBody:
                        constant: thief
            """), List.of("HTTP path /owned [GET] is already served by integration 'owner'")),
        new Case("component behind a placeholder in from", Integrations.of("bad-hidden-from", "1", """
            - route:
                from:
                  uri: "{{config.u}}"
                  steps:
                    - setBody:
                        constant: thief
            """, Map.of("u", "platform-http:/owned"), List.of()),
            List.of("{{config.u}}", "its component must be written out")),
        new Case("rest-api consumer, a GET route for every path on the shared router", Integrations.of("bad-rest-api", "1", """
            - route:
                from:
                  uri: "rest-api:/"
                  steps:
                    - setBody:
                        constant: stolen
            """), List.of("from 'rest-api:/'", "a route starts from platform-http, rest")),
        new Case("pollEnrich from rest-api, a consumer made when the route first runs", Integrations.of("bad-poll", "1",
            httpRoute("bad-poll", "/bad-poll", """
            - pollEnrich:
                constant: "rest-api:/"
            """)), List.of("pollEnrich 'rest-api:/'", "would listen where other integrations are served")),
        new Case("pollEnrich from a uri read from a header", Integrations.of("bad-poll-header", "1",
            httpRoute("bad-poll-header", "/bad-poll-header", """
            - pollEnrich:
                header: target
            """)), List.of("pollEnrich: its endpoint must be a constant or simple uri")),
        new Case("rest uri without a path, served at its template outside the prefix", Integrations.of("bad-rest-path", "1", """
            - route:
                from:
                  uri: "rest:get::owned"
                  steps:
                    - setBody:
                        constant: thief
            """), List.of("from 'rest:get::owned'", "a rest uri names its path")),
        new Case("secret not in the secrets directory", Integrations.of("bad-secret", "1", httpRoute("bad-secret", "/bad-secret", """
            - setBody:
                constant: "{{secret.absent.key}}"
            """), Map.of(), List.of(new SecretRef("absent", "key"))), List.of("secret 'absent/key' not found")),
        new Case("secret the integration does not declare", Integrations.of("bad-undeclared", "1", httpRoute("bad-undeclared", "/bad-undeclared", """
            - setBody:
                constant: "{{secret.billing-api.token}}"
            """)), List.of("{{secret.billing-api.token}}", "secrets does not declare it")),
        new Case("config key not set", Integrations.of("bad-config", "1", httpRoute("bad-config", "/bad-config", """
            - setBody:
                constant: "{{config.missing}}"
            """)), List.of("{{config.missing}} is used but config has no key 'missing'")),
        new Case("routeConfiguration would apply to others", Integrations.of("bad-routeconf", "1", """
            - routeConfiguration:
                onException:
                  - onException:
                      exception: [java.lang.Exception]
                      handled:
                        constant: true
            """ + constantRoute("bad-routeconf", "/bad-routeconf", "x")), List.of("routeConfiguration is not supported",
            // what the YAML DSL takes (its schema has no onException among a route's steps)
            "onException at the top level of this integration's source")),
        new Case("route-configuration in kebab case", Integrations.of("bad-kebab", "1",
            "- route-configuration:\n" + HIJACKING_INTERCEPT.indent(4) + constantRoute("bad-kebab", "/bad-kebab", "x")),
            List.of("routeConfiguration is not supported")),
        new Case("restConfiguration would apply to others' REST DSL", Integrations.of("bad-restconf", "1", """
            - restConfiguration:
                bindingMode: json
            """ + constantRoute("bad-restconf", "/bad-restconf", "x")), List.of("restConfiguration is not supported")),
        new Case("a top-level errorHandler would become every later integration's", Integrations.of("bad-eh", "1", """
            - errorHandler:
                deadLetterChannel:
                  deadLetterUri: "log:dead"
            """ + constantRoute("bad-eh", "/bad-eh", "x")), List.of("a top-level errorHandler is not supported",
            "an errorHandler on the route, or onException at the top level of this integration's source")),
        new Case("interceptSendToEndpoint would hook others' calls", Integrations.of("bad-iste", "1", """
            - interceptSendToEndpoint:
                uri: "http*"
                steps:
                  - setHeader:
                      name: Authorization
                      constant: "Bearer mine"
            """ + constantRoute("bad-iste", "/bad-iste", "x")), List.of("interceptSendToEndpoint is not supported")),
        new Case("named dataFormats are shared", Integrations.of("bad-df", "1", """
            - data-formats:
                - json:
                    id: shared-json
            """ + constantRoute("bad-df", "/bad-df", "x")), List.of("a top-level dataFormats is not supported")),
        new Case("route templates are never removed", Integrations.of("bad-tpl", "1", """
            - routeTemplate:
                id: tpl
                from:
                  uri: "direct:tpl"
                  steps:
                    - log: "x"
            - templatedRoute:
                routeTemplateRef: tpl
            """ + constantRoute("bad-tpl", "/bad-tpl", "x")), List.of("routeTemplate is not supported")),
        new Case("a bean of a component type would be every integration's", Integrations.of("bad-bean-type", "1", """
            - beans:
                - name: files
                  type: org.apache.camel.component.file.FileComponent
            """ + httpRoute("bad-bean-type", "/bad-bean-type", """
            - to: "files:target/test-state/secrets"
            """)), List.of("bean 'files' is a Camel component", "serve every integration")),
        new Case("a component bean made by a factory method", Integrations.of("bad-bean-ctor", "1", """
            - beans:
                - name: myfiles
                  type: java.util.Objects
                  factoryMethod: requireNonNull
                  constructors:
                    0: "#class:org.apache.camel.component.file.FileComponent"
            """ + httpRoute("bad-bean-ctor", "/bad-bean-ctor", """
            - to: "myfiles:target/test-state/secrets"
            """)), List.of("myfiles", "would be a Camel component, language or data format")),
        new Case("a bean named after a component would replace it", Integrations.of("bad-bean-name", "1", """
            - beans:
                - name: https-component
                  type: java.net.URI
                  constructors:
                    0: "urn:x"
            """ + constantRoute("bad-bean-name", "/bad-bean-name", "x")), List.of("is taken by the Camel component 'https'")),
        new Case("YAML nested deeper than any route needs", Integrations.of("bad-deep", "1", httpRoute("bad-deep", "/bad-deep", """
            - setBody:
                constant: %s
            """.formatted("[".repeat(990) + "]".repeat(990)))), List.of("nested deeper than 200 levels")),
        new Case("a duplicate key does not hide a context-wide element", Integrations.of("bad-dup", "1", """
            - errorHandler:
                deadLetterChannel:
                  deadLetterUri: "log:dead"
            - route:
                id: bad-dup
                id: bad-dup
                from:
                  uri: "platform-http:/bad-dup"
                  steps:
                    - setBody:
                        constant: x
            """), List.of("not valid YAML", "Duplicate field 'id'", "line 6")),
        new Case("no route at all", Integrations.of("bad-empty", "1", "[]\n"), List.of("must be a non-empty YAML list")),
        // told as a NullPointerException naming Camel's FromDefinition
        new Case("a route without from", Integrations.of("bad-nofrom", "1", "- route:\n    id: bad-nofrom\n"),
            List.of("route bad-nofrom", "has no from")),
        // a terminal would run the escapes of a message that ./outpost status or deploy prints
        new Case("control characters in what Camel quotes", Integrations.of("bad-esc", "1", """
            - route:
                id: bad-esc
                from:
                  uri: "platform-http:/bad-esc"
                  steps:
                    - "\\e[31mboom\\e[0m\\u009b2J":
                        constant: x
            """), List.of("?[31mboom?[0m?2J")));
  }

  @BeforeEach
  void deployOwner() {
    Integrations.put(management, Integrations.of("owner", "1", OWNER_SOURCE)).then().statusCode(200);
  }

  @AfterEach
  void removeOwner() {
    Integrations.delete(management, "owner");
  }

  @Test
  void eachBadIntegrationFailsClearlyAndLeavesTheOthersRunning() {
    int routesBefore = camel.getRoutes().size();
    int definitionsBefore = ((ModelCamelContext) camel).getRouteDefinitions().size();
    // a failure is also logged, whether Camel or the deployer's own checks refused it: in Kubernetes only the agent reads statuses
    try (dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(IntegrationDeployer.class)) {
      assertEachFailsClearly(routesBefore, definitionsBefore, log);
    }
  }

  private void assertEachFailsClearly(int routesBefore, int definitionsBefore, dev.outpost.spec.testing.LogLines log) {
    for (Case c : cases()) {
      var response = Integrations.put(management, c.integration());
      JsonPath body = response.then().extract().jsonPath();
      // what the spec's validation rejects is the client's mistake (400); the rest fails in Camel (422)
      String message = response.statusCode() == 400 ? body.getString("error") : body.getString("message");
      assertThat(response.statusCode()).as(c.why()).isIn(400, 422);
      assertThat(message).as(c.why()).contains(c.messageContains())
          .doesNotContain("/_outpost/").doesNotContain(".g").doesNotContain("\u001b").doesNotContain("\u009b");
      given().get(http + "owned").then().statusCode(200).body(equalTo("owner"));
      given().get(http + "owned/items/3").then().statusCode(200).body(equalTo("item"));
      assertThat(camel.getRoutes()).as(c.why()).hasSize(routesBefore);
      assertThat(((ModelCamelContext) camel).getRouteDefinitions()).as(c.why()).hasSize(definitionsBefore);
      if (response.statusCode() == 422) {
        assertThat(body.getString("phase")).as(c.why()).isEqualTo("Failed");
        assertThat(log.warnings()).as(c.why()).anySatisfy(w -> assertThat(w)
            .startsWith("integration " + c.integration().name() + " version 1 failed to deploy: ").contains(message));
        given().get(Integrations.base(management) + "outpost/integrations").then()
            .body("find { it.name == '" + c.integration().name() + "' }.phase", equalTo("Failed"));
      }
    }
  }

  /**
   * Validation (spec) refuses YAML aliases, which Camel's parser expands: 40 anchors of 40 nested
   * filters each, every one holding the one before, overflowed its stack, and the Error ended the
   * thread that watches the integrations directory. Whatever a source still does to Camel, its
   * deployment fails alone, leaves nothing in the context, and the next one deploys.
   */
  @Test
  void aSourceThatOverflowsCamelsStackFailsAloneAndTheNextDeploys() {
    int routesBefore = camel.getRoutes().size();
    var status = deployer.deploy(Integrations.of("overflow", "1", aliasChain(40, 40)));
    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.message()).contains("StackOverflowError");
    assertThat(camel.getRoutes()).hasSize(routesBefore);
    given().get(http + "overflow").then().statusCode(404);
    given().get(http + "owned").then().statusCode(200).body(equalTo("owner"));

    Integrations.put(management, Integrations.of("after-overflow", "1", constantRoute("after-overflow", "/after-overflow", "ok")))
        .then().statusCode(200);
    given().get(http + "after-overflow").then().statusCode(200).body(equalTo("ok"));
    Integrations.delete(management, "after-overflow").then().statusCode(204);
  }

  /** {@code anchors} filters nested {@code depth} deep, each anchored and holding the one before. */
  private static String aliasChain(int anchors, int depth) {
    StringBuilder yaml = new StringBuilder("- route:\n    from:\n      uri: platform-http:/overflow\n      steps:\n");
    for (int k = 0; k < anchors; k++) {
      for (int d = 0; d < depth; d++) {
        String pad = " ".repeat(8 + 4 * d);
        yaml.append(pad).append("- filter:").append(d == 0 ? " &a" + k : "").append('\n')
            .append(pad).append("    simple: \"${header.never} == 'x'\"\n")
            .append(pad).append("    steps:\n");
      }
      String pad = " ".repeat(8 + 4 * depth);
      yaml.append(pad).append(k == 0 ? "- log: bottom\n" : "- filter: *a" + (k - 1) + "\n");
    }
    return yaml.append("        - setBody:\n            constant: ok\n").toString();
  }

  /**
   * A bean that cannot be made fails its deploy every time: Camel's YAML loader noted the bean as
   * declared before making it, and skipped it in every load after until one succeeded, so the same
   * integration deployed again was Ready without its bean.
   */
  @Test
  void aBeanThatCannotBeMadeFailsEveryDeployOfIt() {
    String source = BlockingBean.failingAfter("neverMade", java.time.Duration.ofMillis(50))
        + constantRoute("never-made", "/never-made", "x");
    for (String version : List.of("1", "2")) {
      Integrations.put(management, Integrations.of("never-made", version, source)).then().statusCode(422)
          .body("phase", equalTo("Failed")).body("message", containsString("Error creating bean: neverMade"));
    }
    given().get(http + "never-made").then().statusCode(404);
  }

  @Test
  void aRouteConfigurationInAnyYamlSpellingIsRefusedAndReachesNoLaterIntegration() {
    String quoted = "- \"routeConfiguration\":\n" + HIJACKING_INTERCEPT.indent(4);
    String flow = "- {routeConfiguration: {intercept: [{intercept: {steps: [{setHeader: "
        + "{name: X-Hijacked, constant: \"yes\"}}]}}]}}\n";
    for (String configuration : List.of(quoted, flow)) {
      Integrations.put(management, Integrations.of("rc-spelling", "1",
              configuration + constantRoute("rc-spelling", "/rc-spelling", "x")))
          .then().statusCode(422).body("message", containsString("routeConfiguration is not supported"));
    }
    Integrations.put(management, Integrations.of("rc-later", "1", constantRoute("rc-later", "/rc-later", "later")))
        .then().statusCode(200);
    var response = given().get(http + "rc-later").then().statusCode(200).body(equalTo("later")).extract();
    assertThat(response.header("X-Hijacked")).isNull();
    Integrations.delete(management, "rc-later").then().statusCode(204);
  }

  @Test
  void aRouteThatFailsAtRunTimeGivesTheClientA500WithoutDetails() {
    Integrations.put(management, Integrations.of("runtime-failure", "1", """
        - route:
            id: runtime-failure
            from:
              uri: platform-http:/runtime-failure
              steps:
                - pollEnrich:
                    constant: "file:target/test-state/secrets?fileName=billing-api/token&noop=true"
                    timeout: 100
        """)).then().statusCode(200);
    String body = given().get(http + "runtime-failure").then().statusCode(500).extract().asString();
    assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("s3cr3t");
    Integrations.delete(management, "runtime-failure").then().statusCode(204);
  }

  /**
   * A status the route sets that is no number is the integration's mistake: a 500 without a body, as
   * any failed route, where Quarkus' error page (its "Error id" and an empty "Stack") was sent.
   */
  @Test
  void aStatusCodeThatIsNoNumberIsA500WithoutDetails() {
    Integrations.put(management, Integrations.of("bad-status", "1", httpRoute("bad-status", "/bad-status", """
        - setHeader:
            name: CamelHttpResponseCode
            constant: abc
        - setBody:
            constant: the body
        """))).then().statusCode(200);
    var response = given().get(http + "bad-status").then().statusCode(500).extract();
    assertThat(response.asString()).isEmpty();
    // a number that is no HTTP status: Netty refuses a negative one
    Integrations.put(management, Integrations.of("bad-status", "2", httpRoute("bad-status", "/bad-status", """
        - setHeader:
            name: CamelHttpResponseCode
            constant: -1
        """))).then().statusCode(200);
    assertThat(given().get(http + "bad-status").then().statusCode(500).extract().asString()).isEmpty();
    Integrations.delete(management, "bad-status").then().statusCode(204);
  }

  /**
   * The source changed and its version string kept: the deployment of that version that ran before
   * serves on, and its status says so, as for an upgrade to another version; read alone, "1 Failed"
   * told the operator the integration was down while it answered.
   */
  @Test
  void aFailedRedeployUnderTheSameVersionSaysItsPreviousDeploymentStillServes() throws Exception {
    String changed = OWNER_SOURCE + httpRoute("owner-more", "/owned-more", """
        - to: "nosuchcomponent:foo"
        """);
    Integrations.put(management, Integrations.of("owner", "1", changed)).then().statusCode(422)
        .body("version", equalTo("1")).body("phase", equalTo("Failed"))
        .body("message", containsString("nosuchcomponent"))
        .body("message", containsString("(its previous deployment of version 1 still serves)"))
        .body("servingVersion", equalTo("1"));
    given().get(http + "owned").then().statusCode(200).body(equalTo("owner"));
    given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'owner' }.phase", equalTo("Failed"))
        .body("find { it.name == 'owner' }.servingVersion", equalTo("1"));

    // once that deployment stops serving too, nothing is said to serve
    String route = deployer.deployment("owner").orElseThrow().routeIds().stream()
        .filter(id -> id.endsWith(".owner-route")).findFirst().orElseThrow();
    camel.getRouteController().stopRoute(route);
    given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'owner' }.phase", equalTo("Failed"))
        .body("find { it.name == 'owner' }.servingVersion", org.hamcrest.Matchers.nullValue())
        .body("find { it.name == 'owner' }.message", not(containsString("still serves")));
  }

  @Test
  void aFailedUpgradeKeepsThePreviousVersionServing() {
    Integrations.put(management, Integrations.of("owner", "2", """
        - route:
            id: owner-route
            from:
              uri: platform-http:/owned
              steps:
                - to: kafka:nope
        """)).then().statusCode(422).body("version", equalTo("2"));
    given().get(http + "owned").then().statusCode(200).body(equalTo("owner"));
    given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'owner' }.phase", equalTo("Failed"));
    Integrations.put(management, Integrations.of("owner", "3", OWNER_SOURCE.replace("\"owner\"", "\"owner v3\"")))
        .then().statusCode(200);
    given().get(http + "owned").then().statusCode(200).body(equalTo("owner v3"));
  }
}
