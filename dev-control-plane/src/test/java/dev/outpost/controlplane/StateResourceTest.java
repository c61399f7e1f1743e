package dev.outpost.controlplane;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

@QuarkusTest
class StateResourceTest {
  static final String ADMIN = "Bearer test-admin-token-0123456789";

  /**
   * An example, without the {@code revision} every state file carries: a whole state put with one
   * must have been read at that revision (see StateResourceRevisionTest).
   */
  static byte[] example(String name) throws Exception {
    return Files.readString(Path.of("../examples", name)).replaceFirst("(?m)^revision: \\d+\\n", "").getBytes(StandardCharsets.UTF_8);
  }

  static int revision() {
    return given().header("Authorization", ADMIN).get("/v1/state").then().statusCode(200).extract().path("revision");
  }

  @Test
  void aWholeStateInYamlGetsTheNextRevisionAndThisDataPlane() throws Exception {
    // the document names another data plane: the control plane's own decides where it goes
    byte[] elsewhere = new String(example("public-hello.yaml")).replace("dataPlane: local", "dataPlane: acme-prod").getBytes();
    given().header("Authorization", ADMIN).contentType("application/yaml").body(elsewhere)
        .put("/v1/state").then().statusCode(200)
        .body("dataPlane", equalTo("local")).body("integrations", equalTo(1)).body("routes", equalTo(1));
    int first = revision();
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("orders-jwt.yaml"))
        .put("/v1/state").then().statusCode(200).body("revision", equalTo(first + 1));
  }

  @Test
  void oneIntegrationWithItsRoutesCanBePutAndRemoved() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    String body = """
        {"integration": {"project": "demo", "version": "2", "source": "- from:\\n    uri: platform-http:/echo\\n"},
         "routes": [{"id": "echo", "project": "demo", "match": {"pathPrefix": "/echo"}, "integration": "echo",
                     "auth": {"public": true}}]}""";
    given().header("Authorization", ADMIN).contentType("application/json").body(body)
        .put("/v1/integrations/echo").then().statusCode(200).body("integrations", equalTo(2)).body("routes", equalTo(2))
        .body("applied.name", contains("echo")).body("applied.version", contains("2"));
    given().header("Authorization", ADMIN).get("/v1/state").then().statusCode(200)
        .body("integrations.name", hasItem("echo")).body("routes.id", hasItem("echo"));

    given().header("Authorization", ADMIN).delete("/v1/integrations/echo").then().statusCode(200)
        .body("integrations", equalTo(1)).body("routes", equalTo(1));
    given().header("Authorization", ADMIN).delete("/v1/integrations/echo").then().statusCode(404)
        .body("message", containsString("echo"));
  }

  @Test
  void applyAddsWhatTheDocumentNamesAndKeepsTheRest() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("orders-jwt.yaml"))
        .post("/v1/apply").then().statusCode(200).body("integrations", equalTo(3)).body("routes", equalTo(3))
        // what the document named, which ./outpost deploy waits for the runtime to run or refuse
        .body("applied.name", contains("orders-api", "orders-backend")).body("applied.version", contains("2.3.0", "1.0.0"));
    given().header("Authorization", ADMIN).get("/v1/state").then().statusCode(200)
        .body("integrations.name", hasItem("hello")).body("integrations.name", hasItem("orders-api"))
        .body("identityProviders.name", hasItem("dev"));

    // Applying again replaces, it does not duplicate; an invalid document changes nothing.
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("orders-jwt.yaml"))
        .post("/v1/apply").then().statusCode(200).body("integrations", equalTo(3)).body("routes", equalTo(3));
    int before = revision();
    given().header("Authorization", ADMIN).contentType("application/json")
        .body("{\"routes\": [{\"id\": \"x\", \"project\": \"demo\", \"match\": {\"pathPrefix\": \"/x\"},"
            + " \"integration\": \"missing\", \"auth\": {\"public\": true}}]}")
        .post("/v1/apply").then().statusCode(422).body("violations.path", hasItem("routes[0].integration"))
        .body("violations.path", not(hasItem("routes[3].integration")));
    org.assertj.core.api.Assertions.assertThat(revision()).isEqualTo(before);
    given().header("Authorization", "Bearer wrong-token-0123456789").contentType("application/json").body("{}")
        .post("/v1/apply").then().statusCode(401);
  }

  /**
   * A document that names an integration and gives no routes keeps that integration's routes: a
   * version bump of orders-api alone removed /orders. A document's problems are told by its own
   * paths, not the merged state's.
   */
  @Test
  void applyWithoutRoutesKeepsTheIntegrationsRoutes() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("orders-jwt.yaml"))
        .put("/v1/state").then().statusCode(200).body("routes", equalTo(2));
    String bump = new String(example("orders-jwt.yaml"));
    String integrations = bump.substring(bump.indexOf("integrations:"), bump.indexOf("\nroutes:") + 1);
    given().header("Authorization", ADMIN).contentType("application/yaml").body(integrations.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .post("/v1/apply").then().statusCode(200).body("routes", equalTo(2));
    given().header("Authorization", ADMIN).contentType("application/json")
        .body("{\"integrations\": [{\"name\": \"bad name\", \"project\": \"demo\", \"version\": \"1\","
            + " \"source\": \"- from:\\n    uri: timer:x\\n\"}]}")
        .post("/v1/apply").then().statusCode(422).body("violations.path", hasItem(startsWith("integrations[0]")));
  }

  /**
   * A problem's message names other entries by the document's own paths too, or as deployed: it
   * pointed at places in the merged state ("already used by integrations[4]" of a two-entry file).
   */
  @Test
  void applysProblemsNameOtherEntriesAsTheUserSeesThem() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("orders-jwt.yaml"))
        .post("/v1/apply").then().statusCode(200);
    String twice = "{\"name\": \"twin\", \"project\": \"demo\", \"version\": \"1\", \"source\": \"- from:\\n    uri: timer:x\\n\"}";
    given().header("Authorization", ADMIN).contentType("application/json")
        .body("{\"integrations\": [" + twice + ", " + twice + "], \"routes\": [{\"id\": \"again\", \"project\": \"demo\","
            + " \"match\": {\"pathPrefix\": \"/hello\", \"methods\": [\"GET\", \"HEAD\"]}, \"integration\": \"hello\","
            + " \"auth\": {\"public\": true}}]}")
        .post("/v1/apply").then().statusCode(422)
        .body("violations.find { it.path == 'integrations[1].name' }.message",
            equalTo("duplicate name \"twin\" (already used by integrations[0])"))
        .body("violations.find { it.path == 'routes[0].match' }.message", startsWith("same match as (deployed) routes[id=hello]"));
    // a value the user wrote is quoted as written, even one that looks like a path
    String odd = "{\"id\": \"routes[99999999999]\", \"project\": \"demo\", \"match\": {\"pathPrefix\": \"/odd\"},"
        + " \"integration\": \"hello\", \"auth\": {\"public\": true}}";
    given().header("Authorization", ADMIN).contentType("application/json").body("{\"routes\": [" + odd + ", " + odd + "]}")
        .post("/v1/apply").then().statusCode(422)
        .body("violations.message", hasItem(containsString("\"routes[99999999999]\"")));
  }

  /**
   * Jackson reads a YAML alias as the anchor's name: a second integration with {@code project:
   * *proj} landed silently in project "proj". Anchors and aliases are refused at their paths, and
   * nothing changes.
   */
  @Test
  void yamlAnchorsAndAliasesAreRefusedAtTheirPaths() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int before = revision();
    String source = "    version: '1'\n    source: \"- from:\\n    uri: timer:x\\n\"\n";
    String twoProjects = "integrations:\n  - name: first\n    project: &proj shop\n" + source
        + "  - name: second\n    project: *proj\n" + source;
    given().header("Authorization", ADMIN).contentType("application/yaml").body(twoProjects.getBytes())
        .post("/v1/apply").then().statusCode(400).body("error", equalTo("bad_request"))
        .body("message", equalTo("integrations[0].project: declares a YAML anchor (&proj), which is not supported: "
            + "write each value out; integrations[1].project: uses a YAML alias (*proj), which is not supported: "
            + "write the value out"));
    byte[] state = new String(example("public-hello.yaml")).replace("project: demo\n    version", "project: &p demo\n    version")
        .replace("project: demo\n    match", "project: *p\n    match").getBytes();
    given().header("Authorization", ADMIN).contentType("application/yaml").body(state)
        .put("/v1/state").then().statusCode(400).body("message", containsString("routes[0].project: uses a YAML alias (*p)"));
    given().header("Authorization", ADMIN).contentType("application/yaml")
        .body("integration:\n  project: &p demo\n  version: '1'\n  source: \"- from:\\n    uri: timer:x\\n\"\n".getBytes())
        .put("/v1/integrations/third").then().statusCode(400).body("message", startsWith("integration.project: declares a YAML anchor (&p)"));

    org.assertj.core.api.Assertions.assertThat(revision()).isEqualTo(before);
    given().header("Authorization", ADMIN).get("/v1/state").then().statusCode(200).body("integrations.name", contains("hello"));
  }

  /**
   * SnakeYAML copies its whole read window for every 1,024 characters of one line: a 10 MiB comment
   * line took seconds and ran the control plane's 128 MB heap out of memory. A longer line than any
   * state needs is refused before parsing, naming the line; the same document as JSON is taken.
   */
  @Test
  void aYamlLineLongerThanAnyStateNeedsIsRefusedBeforeParsing() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int before = revision();
    String hello = new String(example("public-hello.yaml"));
    String longComment = "#" + "x".repeat(1024 * 1024) + "\n";
    given().header("Authorization", ADMIN).contentType("application/yaml").body((hello + longComment).getBytes())
        .put("/v1/state").then().statusCode(400).body("error", equalTo("bad_request"))
        .body("message", equalTo("body: line " + (hello.lines().count() + 1) + " has 1048577 characters, more than the"
            + " 1048576 a YAML line may have: send a document with longer lines as JSON"));
    org.assertj.core.api.Assertions.assertThat(revision()).isEqualTo(before);

    String atTheBound = "#" + "x".repeat(1024 * 1024 - 1) + "\r\n";
    given().header("Authorization", ADMIN).contentType("application/yaml").body((atTheBound + hello).getBytes())
        .put("/v1/state").then().statusCode(200);
  }

  /**
   * The JSON twin: a JSON body has no YAML line to check, but the same 9 MiB comment line as an
   * integration's source was given to SnakeYAML all the same (some 30 s here; past the control plane's
   * 128 MB heap, which ends it) before its size was refused. It is refused for its size, naming the
   * source, unparsed.
   */
  @Test
  void aSourceLargerThanAnIntegrationMayBeIsRefusedInJsonBeforeParsing() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int before = revision();
    String json = "{\"integrations\": [{\"name\": \"long\", \"project\": \"demo\", \"version\": \"1\", \"source\": \"#"
        + "x".repeat(9 * 1024 * 1024) + "\\n- from:\\n    uri: timer:x\\n\"}]}";
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () ->
        given().header("Authorization", ADMIN).contentType("application/json").body(json.getBytes(StandardCharsets.UTF_8))
            .post("/v1/apply").then().statusCode(422)
            .body("violations.path", contains("integrations[0].source"))
            .body("violations[0].message", startsWith("makes the integration 9"))
            .body("violations[0].message", containsString("more than the 1000000 bytes")));
    org.assertj.core.api.Assertions.assertThat(revision()).isEqualTo(before);
  }

  @Test
  void anInvalidStateIsRefusedWithEveryViolationAndTheOldStateKept() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int before = revision();
    // two fields broken: both named, not only the first found
    byte[] broken = new String(example("public-hello.yaml")).replace("pathPrefix: /hello", "pathPrefix: hello")
        .replaceFirst("project: demo", "project: Not A Label").getBytes();
    String refusal = given().header("Authorization", ADMIN).contentType("application/yaml").body(broken)
        .put("/v1/state").then().statusCode(422)
        .body("error", equalTo("invalid_state"))
        .body("violations.path", hasItems("routes[0].match.pathPrefix", "integrations[0].project"))
        .extract().asString();
    // in this order at every start (./outpost prints each {"path","message"} on a line of its own);
    // Map.of's order changed from one JVM to the next
    org.assertj.core.api.Assertions.assertThat(refusal)
        .matches("\\{\"error\":\"invalid_state\",\"message\":\".*\",\"violations\":\\[\\{\"path\":\"[^\"]*\",\"message\":.*");
    org.assertj.core.api.Assertions.assertThat(given().header("Authorization", ADMIN).contentType("application/json")
        .body("{\"integration\": 5}").put("/v1/integrations/x").then().statusCode(400).extract().asString())
        .startsWith("{\"error\":\"bad_request\",\"message\":");
    given().header("Authorization", ADMIN).contentType("application/json").body("{\"integration\": 5}")
        .put("/v1/integrations/x").then().statusCode(400).body("message", containsString("integration"));
    given().header("Authorization", ADMIN).contentType("application/json").body("{not json")
        .put("/v1/state").then().statusCode(400).body("message", containsString("JSON"));
    given().header("Authorization", ADMIN).contentType("application/json")
        .body("{\"integration\": {\"name\": \"other\"}}")
        .put("/v1/integrations/x").then().statusCode(400).body("message", containsString("integration.name"));
    org.assertj.core.api.Assertions.assertThat(revision()).isEqualTo(before);
  }

  /**
   * What a document's author did not mean is refused with the field named, and nothing accepted
   * before is lost: a number out of range (was a 500), a key given twice or a second YAML document
   * (the first or last was taken silently), a misspelt or mis-shaped field (ignored: an apply
   * deployed nothing and said 200, a PUT of an integration with {@code route:} deleted its routes).
   */
  @Test
  void aDocumentIsReadAsItsAuthorWroteItOrRefused() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int before = revision();
    String echo = """
        {"integration": {"project": "demo", "version": "2", "source": "- from:\\n    uri: platform-http:/echo\\n"},
         "routes": [{"id": "echo", "project": "demo", "match": {"pathPrefix": "/echo"}, "integration": "echo",
                     "auth": {"public": true}}]}""";
    given().header("Authorization", ADMIN).contentType("application/json").body(echo)
        .put("/v1/integrations/echo").then().statusCode(200);
    before = revision();

    given().header("Authorization", ADMIN).contentType("application/json").body("{\"telemetry\": {\"logsRetentionDays\": 1e400}}")
        .post("/v1/apply").then().statusCode(422).body("violations.path", hasItem("telemetry.logsRetentionDays"));
    given().header("Authorization", ADMIN).contentType("application/yaml")
        .body("integrations:\n- name: a\n  project: demo\n  version: '1'\n  replicas: 1.0e+400\n  source: \"- from:\\n    uri: timer:x\\n\"\n".getBytes())
        .post("/v1/apply").then().statusCode(422).body("violations.path", hasItem("integrations[0].replicas"));
    given().header("Authorization", ADMIN).contentType("application/yaml").body("routes: []\nroutes: []\n".getBytes())
        .post("/v1/apply").then().statusCode(400).body("message", containsString("routes"));
    given().header("Authorization", ADMIN).contentType("application/yaml").body("routes: []\n---\nintegrations: []\n".getBytes())
        .post("/v1/apply").then().statusCode(400).body("message", containsString("body"));
    given().header("Authorization", ADMIN).contentType("application/json").body("{\"routes\": []}{\"routes\": []}")
        .post("/v1/apply").then().statusCode(400).body("message", containsString("body"));
    given().header("Authorization", ADMIN).contentType("application/yaml").body("integration:\n- name: a\n".getBytes())
        .post("/v1/apply").then().statusCode(400).body("message", containsString("integration: unknown field"));
    given().header("Authorization", ADMIN).contentType("application/yaml").body("integrations:\n  name: a\n".getBytes())
        .post("/v1/apply").then().statusCode(400).body("message", containsString("integrations: a list is expected"));
    given().header("Authorization", ADMIN).contentType("application/json").body("{\"telemetry\": []}")
        .post("/v1/apply").then().statusCode(400).body("message", containsString("telemetry: an object is expected"));
    given().header("Authorization", ADMIN).contentType("application/json").body("{\"apiVersion\": \"outpost.dev/v2\"}")
        .post("/v1/apply").then().statusCode(400).body("message", containsString("apiVersion"));
    given().header("Authorization", ADMIN).contentType("application/json")
        .body(echo.replace("\"routes\"", "\"route\""))
        .put("/v1/integrations/echo").then().statusCode(400).body("message", containsString("route: unknown field"));

    org.assertj.core.api.Assertions.assertThat(revision()).isEqualTo(before);
    given().header("Authorization", ADMIN).get("/v1/state").then().statusCode(200).body("routes.id", hasItem("echo"));
  }

  @Test
  void everyStateEndpointNeedsTheAdminToken() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int before = revision();
    // valid documents: only the token stands between them and the data plane
    byte[] state = example("orders-jwt.yaml");
    String integration = """
        {"integration": {"project": "demo", "version": "9", "source": "- from:\\n    uri: platform-http:/sneak\\n"},
         "routes": [{"id": "sneak", "project": "demo", "match": {"pathPrefix": "/sneak"}, "integration": "sneak",
                     "auth": {"public": true}}]}""";
    for (String auth : new String[] {null, "Bearer wrong-token-0123456789", "Basic dGVzdA==",
        "Bearer test-data-plane-token-0123456789"}) {
      as(auth).get("/v1/state").then().statusCode(401).body("error", equalTo("unauthorized"));
      as(auth).contentType("application/yaml").body(state).put("/v1/state").then().statusCode(401);
      as(auth).contentType("application/yaml").body(state).post("/v1/apply").then().statusCode(401);
      as(auth).contentType("application/json").body(integration).put("/v1/integrations/sneak").then().statusCode(401);
      as(auth).delete("/v1/integrations/hello").then().statusCode(401);
    }
    // nothing of it was applied
    org.assertj.core.api.Assertions.assertThat(revision()).isEqualTo(before);
    given().header("Authorization", ADMIN).get("/v1/state").then().statusCode(200)
        .body("integrations.name", contains("hello"));
  }

  private static io.restassured.specification.RequestSpecification as(String auth) {
    return auth == null ? given() : given().header("Authorization", auth);
  }

  @Test
  void servesThePublicKeyAsPemAndJson() {
    given().get("/v1/public-key").then().statusCode(200).body(containsString("-----BEGIN PUBLIC KEY-----"));
    given().accept("application/json").get("/v1/public-key").then().statusCode(200)
        .body("algorithm", equalTo("Ed25519"));
  }

  @Test
  void servesTheConsolePageAndItsConfiguration() {
    given().redirects().follow(false).get("/console").then().statusCode(302).header("Location", containsString("/console/"));
    given().get("/console/").then().statusCode(200).body(containsString("Outpost console"))
        // the page holds a token and shows integrations' text: its own script only, never framed
        .header("Content-Security-Policy", containsString("script-src 'self';"))
        .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
        .header("Content-Security-Policy", not(containsString("unsafe")))
        .header("X-Content-Type-Options", "nosniff");
    given().get("/console/console.js").then().statusCode(200).body(containsString("/api/v1/logs"));
    given().get("/console/config.json").then().statusCode(200)
        .body("observabilityUrl", equalTo("http://127.0.0.1:8082"));
  }
}
