package dev.outpost.controlplane;

import static dev.outpost.controlplane.StateResourceTest.ADMIN;
import static dev.outpost.controlplane.StateResourceTest.example;
import static dev.outpost.controlplane.StateResourceTest.revision;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a request body may be: how large, and in which encoding. */
@QuarkusTest
class StateResourceBodyTest {
  static final int MIB = 1024 * 1024;
  static final String GREETER = "integrations:\n  - name: greeter\n    project: demo\n    version: '1'\n"
      + "    config: {GREETING: Grüße}\n    source: \"- from:\\n    uri: timer:x\\n\"\n";

  /**
   * The admin's request, its Content-Type sent as written: rest-assured adds "; charset=ISO-8859-1"
   * to one that names no charset, and the control plane reads a body in the charset named.
   */
  static RequestSpecification admin() {
    return given().config(RestAssuredConfig.config().encoderConfig(EncoderConfig.encoderConfig()
        .appendDefaultContentCharsetToContentTypeIfUndefined(false))).header("Authorization", ADMIN);
  }

  /** {@code count} integrations of about 725 KB of YAML each, in short lines (a config map of many entries). */
  static String manyShortLines(int count) {
    StringBuilder yaml = new StringBuilder("integrations:\n");
    for (int i = 0; i < count; i++) {
      yaml.append("  - name: big-").append(i).append("\n    project: demo\n    version: '1'\n")
          .append("    source: \"- from:\\n    uri: timer:big-").append(i).append("\\n\"\n    config:\n");
      for (int k = 0; k < 25_000; k++) {
        yaml.append("      key-").append(String.format("%05d", k)).append(": value-").append(String.format("%05d", k)).append('\n');
      }
    }
    return yaml.toString();
  }

  /**
   * YAML past 3 Mi characters was refused (SnakeYAML's default limit), while ./outpost and the control
   * plane take 10 MiB bodies, and JSON up to that.
   */
  @Test
  void aYamlDocumentOfFiveMibInShortLinesIsTaken() throws Exception {
    admin().contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    byte[] large = manyShortLines(8).getBytes(StandardCharsets.UTF_8);
    assertThat(large.length).isGreaterThan(5 * MIB);
    admin().contentType("application/yaml").body(large)
        .post("/v1/apply").then().statusCode(200).body("integrations", equalTo(9));
    admin().get("/v1/state").then().statusCode(200)
        .body("integrations.find { it.name == 'big-7' }.config.'key-24999'", equalTo("value-24999"));
    admin().contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200).body("integrations", equalTo(1));
  }

  /** A Latin-1 file was stored with U+FFFD in place of each accented letter, and answered 200. */
  @Test
  void aBodyThatIsNotUtf8IsRefusedNamingTheFirstByteThatIsNot() throws Exception {
    admin().contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int before = revision();
    int at = GREETER.getBytes(StandardCharsets.UTF_8).length - GREETER.substring(GREETER.indexOf('ü')).getBytes(StandardCharsets.UTF_8).length + 1;
    admin().contentType("application/yaml").body(GREETER.getBytes(StandardCharsets.ISO_8859_1))
        .post("/v1/apply").then().statusCode(400).body("error", equalTo("bad_request"))
        .body("message", equalTo("body: not UTF-8 text (byte " + at + ")"));
    String json = "{\"integrations\": [], \"x\": \"Grüße\"}";
    admin().contentType("application/json").body(json.getBytes(StandardCharsets.ISO_8859_1))
        .put("/v1/state").then().statusCode(400).body("message", equalTo("body: not UTF-8 text (byte " + (json.indexOf('ü') + 1) + ")"));
    assertThat(revision()).isEqualTo(before);
  }

  /**
   * A charset a YAML body's Content-Type names is the body's: Latin-1 declared so, which the framework
   * read as such, was refused as "not UTF-8 text" once the body was read as bytes. Bytes that are not
   * text in that charset are named, and a charset Java does not know is a 415 that names it.
   */
  @Test
  void aCharsetTheContentTypeNamesIsTheBodys() throws Exception {
    admin().contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    admin().contentType("application/yaml; charset=ISO-8859-1")
        .body(GREETER.getBytes(StandardCharsets.ISO_8859_1))
        .post("/v1/apply").then().statusCode(200).body("integrations", equalTo(2));
    admin().get("/v1/state").then().statusCode(200)
        .body("integrations.find { it.name == 'greeter' }.config.GREETING", equalTo("Grüße"));

    int before = revision();
    admin().contentType("application/yaml; charset=US-ASCII").body(GREETER.getBytes(StandardCharsets.ISO_8859_1))
        .post("/v1/apply").then().statusCode(400).body("message", equalTo("body: not US-ASCII text (byte " + (GREETER.indexOf('ü') + 1) + ")"));
    admin().contentType("application/yaml; charset=klingon-8").body(GREETER.getBytes(StandardCharsets.UTF_8))
        .post("/v1/apply").then().statusCode(415).body("error", equalTo("unsupported_media_type"))
        .body("message", equalTo("Content-Type: charset \"klingon-8\" is not one the control plane reads (UTF-8 is)"));
    assertThat(revision()).isEqualTo(before);
  }

  /**
   * JSON is UTF-8 whatever charset its Content-Type names (RFC 8259 section 11: the parameter "has no
   * effect on compliant recipients"): UTF-8 declared ISO-8859-1, as rest-assured declares it on its own,
   * was stored garbled with a 200. Bytes that are not UTF-8 are refused as such, a charset Java does not
   * know included.
   */
  @Test
  void aCharsetOnJsonHasNoEffect() throws Exception {
    admin().contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    String json = "{\"integration\": {\"project\": \"demo\", \"version\": \"2\", \"config\": {\"GREETING\": \"Grüße, 5 €\"},"
        + " \"source\": \"- from:\\n    uri: timer:x\\n\"}}";
    admin().contentType("application/json; charset=ISO-8859-1").body(json.getBytes(StandardCharsets.UTF_8))
        .put("/v1/integrations/greeter").then().statusCode(200);
    admin().get("/v1/state").then().statusCode(200)
        .body("integrations.find { it.name == 'greeter' }.config.GREETING", equalTo("Grüße, 5 €"));
    admin().contentType("application/json; charset=klingon-8").body(json.replace("5 €", "6 €").getBytes(StandardCharsets.UTF_8))
        .put("/v1/integrations/greeter").then().statusCode(200);
    admin().get("/v1/state").then().statusCode(200)
        .body("integrations.find { it.name == 'greeter' }.config.GREETING", equalTo("Grüße, 6 €"));

    int before = revision();
    admin().contentType("application/json; charset=windows-1252").body(json.getBytes("windows-1252"))
        .put("/v1/integrations/greeter").then().statusCode(400)
        .body("message", equalTo("body: not UTF-8 text (byte " + (json.indexOf('ü') + 1) + ")"));
    assertThat(revision()).isEqualTo(before);
  }

  /** A UTF-16 file (with its byte order mark) was refused as "not valid YAML: special characters are not allowed". */
  @Test
  void aUtf16OrUtf32BodyIsNamedAsSuch() throws Exception {
    admin().contentType("application/yaml").body(example("public-hello.yaml"))
        .put("/v1/state").then().statusCode(200);
    int before = revision();
    Object[][] cases = {
        {"UTF-16BE", "body: UTF-16 text; send UTF-8"}, {"UTF-16LE", "body: UTF-16 text; send UTF-8"},
        {"UTF-32BE", "body: UTF-32 text; send UTF-8"}, {"UTF-32LE", "body: UTF-32 text; send UTF-8"},
    };
    for (Object[] c : cases) {
      byte[] body = ("\uFEFF" + GREETER).getBytes(Charset.forName((String) c[0]));
      admin().contentType("application/yaml").body(body)
          .post("/v1/apply").then().statusCode(400).body("message", equalTo(c[1]));
      admin().contentType("application/json").body(("\uFEFF{}").getBytes(Charset.forName((String) c[0])))
          .put("/v1/state").then().statusCode(400).body("message", equalTo(c[1]));
    }
    assertThat(revision()).isEqualTo(before);
  }

  /** A UTF-8 byte order mark, which editors on Windows write, is no part of the document, YAML or JSON. */
  @Test
  void aUtf8ByteOrderMarkIsDropped() throws Exception {
    admin().contentType("application/yaml").body(withBom(example("public-hello.yaml")))
        .put("/v1/state").then().statusCode(200).body("integrations", equalTo(1));
    admin().contentType("application/yaml").body(withBom(GREETER.getBytes(StandardCharsets.UTF_8)))
        .post("/v1/apply").then().statusCode(200).body("integrations", equalTo(2));
    admin().get("/v1/state").then().statusCode(200)
        .body("integrations.find { it.name == 'greeter' }.config.GREETING", equalTo("Grüße"));
    admin().contentType("application/json")
        .body(withBom("{\"integration\": {\"project\": \"demo\", \"version\": \"2\", \"source\": \"- from:\\n    uri: timer:x\\n\"}}"
            .getBytes(StandardCharsets.UTF_8)))
        .put("/v1/integrations/greeter").then().statusCode(200).body("integrations", equalTo(2));
  }

  static byte[] withBom(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    out.writeBytes(body);
    return out.toByteArray();
  }
}
