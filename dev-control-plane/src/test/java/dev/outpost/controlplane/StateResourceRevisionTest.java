package dev.outpost.controlplane;

import static dev.outpost.controlplane.StateResourceTest.ADMIN;
import static dev.outpost.controlplane.StateResourceTest.example;
import static dev.outpost.controlplane.StateResourceTest.revision;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A document's {@code revision} is the revision it was read at, as a Kubernetes object's resourceVersion. */
@QuarkusTest
class StateResourceRevisionTest {
  static final String ECHO = """
      {"integration": {"project": "demo", "version": "%s", "source": "- from:\\n    uri: platform-http:/echo\\n"},
       "routes": [{"id": "echo", "project": "demo", "match": {"pathPrefix": "/echo"}, "integration": "echo",
                   "auth": {"public": true}}]%s}""";

  static String conflict(int given, int current) {
    return "revision: " + given + " is not the current revision " + current + ": read the state again and apply your change to it";
  }

  /**
   * A state read at revision N and put back after another change made N + 1 answered 200 and dropped
   * that change. It is refused with both revisions named, and nothing changes; read again, it is taken.
   */
  @Test
  void aStateReadBeforeAnotherChangeIsRefusedAndChangesNothing() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    String read = given().header("Authorization", ADMIN).get("/v1/state").then().statusCode(200).extract().asString();
    int at = revision();
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("orders-jwt.yaml"))
        .post("/v1/apply").then().statusCode(200).body("revision", equalTo(at + 1));

    given().header("Authorization", ADMIN).contentType("application/json").body(read)
        .put("/v1/state").then().statusCode(409).body("error", equalTo("conflict"))
        .body("message", equalTo(conflict(at, at + 1)));
    given().header("Authorization", ADMIN).contentType("application/yaml")
        .body((new String(example("public-hello.yaml"), StandardCharsets.UTF_8) + "revision: " + at + "\n").getBytes(StandardCharsets.UTF_8))
        .put("/v1/state").then().statusCode(409).body("message", equalTo(conflict(at, at + 1)));
    assertThat(revision()).isEqualTo(at + 1);
    given().header("Authorization", ADMIN).get("/v1/state").then().body("integrations.name", hasItem("orders-api"));

    ObjectNode again = (ObjectNode) new ObjectMapper().readTree(
        given().header("Authorization", ADMIN).get("/v1/state").then().statusCode(200).extract().asString());
    again.with("telemetry").put("logsRetentionDays", 3);
    given().header("Authorization", ADMIN).contentType("application/json").body(again.toString())
        .put("/v1/state").then().statusCode(200).body("revision", equalTo(at + 2));
    given().header("Authorization", ADMIN).get("/v1/state").then()
        .body("telemetry.logsRetentionDays", equalTo(3)).body("integrations.name", hasItem("orders-api"));
  }

  /** The same rule for one integration, when its document gives a revision; without one it is put as before. */
  @Test
  void anIntegrationPutAtAnOlderRevisionIsRefused() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int at = revision();
    given().header("Authorization", ADMIN).contentType("application/json").body(ECHO.formatted("1", ", \"revision\": " + (at - 1)))
        .put("/v1/integrations/echo").then().statusCode(409).body("error", equalTo("conflict"))
        .body("message", equalTo(conflict(at - 1, at)));
    assertThat(revision()).isEqualTo(at);
    given().header("Authorization", ADMIN).contentType("application/json").body(ECHO.formatted("1", ", \"revision\": " + at))
        .put("/v1/integrations/echo").then().statusCode(200).body("revision", equalTo(at + 1));
    given().header("Authorization", ADMIN).contentType("application/json").body(ECHO.formatted("2", ""))
        .put("/v1/integrations/echo").then().statusCode(200).body("revision", equalTo(at + 2));
  }

  /**
   * {@code ./outpost deploy} posts state files, which carry a revision (examples say 1, or 42) as a
   * state must: an apply takes the next revision whatever the file's, as its data plane is this one's.
   */
  @Test
  void anApplyTakesTheNextRevisionWhateverTheFileSays() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int at = revision();
    given().header("Authorization", ADMIN).contentType("application/yaml")
        .body(Files.readAllBytes(Path.of("../examples", "orders-jwt.yaml")))
        .post("/v1/apply").then().statusCode(200).body("revision", equalTo(at + 1));
  }

  /** A revision that is not one is refused naming the field, on every endpoint that takes a document. */
  @Test
  void aRevisionThatIsNotANonNegativeIntegerIsRefused() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int at = revision();
    String hello = new String(example("public-hello.yaml"), StandardCharsets.UTF_8);
    String[][] cases = {
        {"abc", "revision: must be a non-negative integer (the revision the state was read at), found a string"},
        {"-1", "revision: must be a non-negative integer (the revision the state was read at), found the number -1"},
        {"1.5", "revision: must be a non-negative integer (the revision the state was read at), found the number 1.5"},
        {"'4'", "revision: must be a non-negative integer (the revision the state was read at), found a string"},
        {"[4]", "revision: must be a non-negative integer (the revision the state was read at), found a list"},
    };
    for (String[] c : cases) {
      given().header("Authorization", ADMIN).contentType("application/yaml").body((hello + "revision: " + c[0] + "\n").getBytes(StandardCharsets.UTF_8))
          .put("/v1/state").then().statusCode(400).body("error", equalTo("bad_request")).body("message", equalTo(c[1]));
      given().header("Authorization", ADMIN).contentType("application/yaml").body(("revision: " + c[0] + "\nintegrations: []\n").getBytes(StandardCharsets.UTF_8))
          .post("/v1/apply").then().statusCode(400).body("message", equalTo(c[1]));
    }
    given().header("Authorization", ADMIN).contentType("application/json").body(ECHO.formatted("1", ", \"revision\": \"abc\""))
        .put("/v1/integrations/echo").then().statusCode(400)
        .body("message", equalTo("revision: must be a non-negative integer (the revision the state was read at), found a string"));
    assertThat(revision()).isEqualTo(at);
  }

  /**
   * A document that changes nothing ({@code {}}, {@code integrations: []}, the same integration again)
   * made a new revision each time, pushed to every agent: it keeps the revision and says so, as
   * {@code kubectl apply} says "unchanged".
   */
  @Test
  void aDocumentThatChangesNothingKeepsTheRevision() throws Exception {
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int at = revision();
    given().header("Authorization", ADMIN).contentType("application/json").body("{}")
        .post("/v1/apply").then().statusCode(200).body("revision", equalTo(at)).body("unchanged", equalTo(true));
    given().header("Authorization", ADMIN).contentType("application/yaml").body("integrations: []\n".getBytes(StandardCharsets.UTF_8))
        .post("/v1/apply").then().statusCode(200).body("revision", equalTo(at)).body("unchanged", equalTo(true));
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200).body("revision", equalTo(at)).body("unchanged", equalTo(true))
        .body("integrations", equalTo(1));
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .post("/v1/apply").then().statusCode(200).body("revision", equalTo(at)).body("unchanged", equalTo(true))
        // ./outpost deploy waits for what the document named all the same
        .body("applied.name", contains("hello"));

    given().header("Authorization", ADMIN).contentType("application/json").body(ECHO.formatted("1", ""))
        .put("/v1/integrations/echo").then().statusCode(200).body("revision", equalTo(at + 1)).body("unchanged", equalTo(false));
    given().header("Authorization", ADMIN).contentType("application/json").body(ECHO.formatted("1", ""))
        .put("/v1/integrations/echo").then().statusCode(200).body("revision", equalTo(at + 1)).body("unchanged", equalTo(true))
        .body("applied.name", contains("echo"));
    // hello's routes and integration were put before echo's: applied again, they come last, and still change nothing
    given().header("Authorization", ADMIN).contentType("application/yaml").body(example("public-hello.yaml"))
        .post("/v1/apply").then().statusCode(200).body("revision", equalTo(at + 1)).body("unchanged", equalTo(true));
    assertThat(revision()).isEqualTo(at + 1);
  }

  /** {@code PUT /v1/integrations/CLI2-P} with {@code name: cli2-p} said the name must equal the path's, which is no name either. */
  @Test
  void aPathThatIsNoIntegrationNameIsSaidToBeSo() throws Exception {
    String label = "path: the name \"CLI2-P\" must be a DNS-1123 label (lower-case letters, digits and '-', starting and"
        + " ending with a letter or digit, at most 63 characters)";
    given().header("Authorization", ADMIN).contentType("application/json")
        .body("{\"integration\": {\"name\": \"cli2-p\", \"project\": \"demo\", \"version\": \"1\","
            + " \"source\": \"- from:\\n    uri: timer:x\\n\"}}")
        .put("/v1/integrations/CLI2-P").then().statusCode(400).body("error", equalTo("bad_request")).body("message", equalTo(label));
    given().header("Authorization", ADMIN).contentType("application/json")
        .body("{\"integration\": {\"project\": \"demo\", \"version\": \"1\", \"source\": \"- from:\\n    uri: timer:x\\n\"}}")
        .put("/v1/integrations/CLI2-P").then().statusCode(400).body("message", equalTo(label));
    // a valid name that differs is still told as before
    given().header("Authorization", ADMIN).contentType("application/json")
        .body("{\"integration\": {\"name\": \"other\", \"project\": \"demo\", \"version\": \"1\","
            + " \"source\": \"- from:\\n    uri: timer:x\\n\"}}")
        .put("/v1/integrations/cli2-p").then().statusCode(400)
        .body("message", equalTo("integration.name: must equal the name in the path (cli2-p)"));
  }
}
