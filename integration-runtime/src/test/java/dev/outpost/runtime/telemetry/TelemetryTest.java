package dev.outpost.runtime.telemetry;

import static dev.outpost.runtime.Eventually.eventually;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import dev.outpost.spec.model.SecretRef;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Spans and logs reach a real OTLP/HTTP receiver tagged with the integration's project, name and
 * version, continuing the caller's trace; secret values are not in any exported byte; metrics per
 * integration are on the management port.
 */
@QuarkusTest
@QuarkusTestResource(value = OtlpReceiver.class, restrictToAnnotatedClass = true)
class TelemetryTest {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SECRET = "otlp-S3cret-9a8b7c";

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  @ConfigProperty(name = "quarkus.otel.exporter.otlp.endpoint")
  String receiver;

  static final String CLIENT_TOKEN = "client-Token-4c5d6e7f";
  /** A token given as the whole of a query parameter, with no name. */
  static final String BARE_TOKEN = "bare-Token-8a9b0c1d";

  @Test
  void spansAndLogsCarryTheIntegrationAndContinueTheIncomingTrace() throws Exception {
    Files.createDirectories(Path.of("target/test-state/secrets/traced-api"));
    Files.writeString(Path.of("target/test-state/secrets/traced-api/key"), SECRET);
    try (Backend backend = Backend.json("{\"ok\":true}")) {
      String source = """
          - route:
              id: traced-in
              from:
                uri: platform-http:/traced
                steps:
                  - log: "traced request for ${header.X-Outpost-Subject}"
                  - setHeader:
                      name: X-Api-Key
                      constant: "{{secret.traced-api.key}}"
                  - log: "calling with key ${header.X-Api-Key}"
                  - to: direct:call
          - route:
              id: traced-call
              from:
                uri: direct:call
                steps:
                  - to: "{{config.backend}}/data?apiKey={{secret.traced-api.key}}"
          """;
      Integrations.put(management, Integrations.of("traced", "7.1.0", source, Map.of("backend", backend.url()),
          List.of(new SecretRef("traced-api", "key")))).then().statusCode(200);

      given().header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
          .header("X-Outpost-Subject", "alice")
          .get(http + "traced?access_token=" + CLIENT_TOKEN + "&page=2&" + BARE_TOKEN).then().statusCode(200);
      assertThat(backend.received().get(0).header("traceparent")).contains(TRACE_ID);

      eventually(() -> {
        List<JsonObject> records = records();
        List<JsonObject> spans = records.stream()
            .filter(r -> r.getString("kind").equals("span") && r.getString("traceId").equals(TRACE_ID)).toList();
        assertThat(spans).as("spans of the incoming trace among %s", records).hasSizeGreaterThanOrEqualTo(3);
        assertThat(spans).allSatisfy(span -> {
          assertThat(span.getJsonObject("attributes").getString("outpost.integration")).as(span.encode()).isEqualTo("traced");
          assertThat(span.getJsonObject("attributes").getString("outpost.project")).isEqualTo("proj-a");
          assertThat(span.getJsonObject("attributes").getString("outpost.integration.version")).isEqualTo("7.1.0");
          assertThat(span.getJsonObject("resource").getString("service.name")).isEqualTo("outpost-integration-runtime");
          assertThat(span.getString("authorization")).isEqualTo("Bearer " + OtlpReceiver.TOKEN);
        });
        List<JsonObject> logs = records.stream()
            .filter(r -> r.getString("kind").equals("log") && r.getString("body").startsWith("traced request for alice"))
            .toList();
        assertThat(logs).hasSize(1);
        JsonObject log = logs.get(0);
        assertThat(log.getString("traceId")).isEqualTo(TRACE_ID);
        assertThat(log.getJsonObject("attributes").getString("outpost.integration")).isEqualTo("traced");
        assertThat(log.getJsonObject("attributes").getString("outpost.project")).isEqualTo("proj-a");
        assertThat(log.getJsonObject("attributes").getString("outpost.integration.version")).isEqualTo("7.1.0");
        assertThat(records).anySatisfy(r -> assertThat(r.getString("body", "")).isEqualTo("calling with key ****"));
        // the query's names, never its values: the client's token is no one else's to read
        assertThat(spans).anySatisfy(span -> assertThat(span.getJsonObject("attributes").getString("url.query"))
            .isEqualTo("access_token=****&page=****&****"));
        assertThat(spans).anySatisfy(span -> assertThat(span.getJsonObject("attributes").getString("http.url"))
            .endsWith("/traced?access_token=****&page=****&****").doesNotContain("/_outpost/"));
      });
      String exported = new JsonObject(given().get(receiver + "/received").asString()).getJsonArray("raw").encode();
      assertHoldsNo(exported, CLIENT_TOKEN, "exported telemetry (a client's query value)");
      assertHoldsNo(exported, BARE_TOKEN, "exported telemetry (a client's nameless query parameter)");
      JsonObject all = new JsonObject(given().get(receiver + "/received").asString());
      String raw = all.getJsonArray("raw").encode();
      int at = raw.indexOf(SECRET);
      assertThat(at).as("a secret value in exported telemetry: %s",
          at < 0 ? "" : raw.substring(Math.max(0, at - 400), Math.min(raw.length(), at + 100))).isEqualTo(-1);

      // a request nobody serves, whose path names the integration's internal keys: its span is the
      // runtime's own, never filed under the integration (and its project) by what the client sent
      String stranger = "5bf92f3577b34da6a3ce929d0e0e4736";
      String path = java.util.stream.IntStream.rangeClosed(1, 150).mapToObj(g -> "traced.g" + g + ".x")
          .collect(java.util.stream.Collectors.joining("/"));
      given().header("traceparent", "00-" + stranger + "-00f067aa0ba902b7-01").get(http + "nobody/" + path)
          .then().statusCode(404);
      eventually(() -> {
        List<JsonObject> spans = records().stream()
            .filter(r -> r.getString("kind").equals("span") && r.getString("traceId").equals(stranger)).toList();
        assertThat(spans).isNotEmpty();
        assertThat(spans).allSatisfy(span -> assertThat(span.getJsonObject("attributes").getString("outpost.integration"))
            .as(span.encode()).isNull());
      });

      // counted as the exchange is done, after its response was written
      eventually(() -> assertThat(Integrations.metric(management, "outpost_integration_exchanges_total", "traced"))
          .isEqualTo(1.0));
      String prometheus = given().get(metrics).then().statusCode(200).extract().asString();
      assertThat(prometheus).containsPattern(
          "outpost_integration_exchanges_total\\{[^}]*integration=\"traced\"[^}]*} 1\\.0")
          .containsPattern("outpost_integration_failures_total\\{[^}]*integration=\"traced\"[^}]*} 0\\.0")
          .containsPattern("outpost_integration_exchange_seconds_count\\{[^}]*integration=\"traced\"[^}]*version=\"7.1.0\"[^}]*} 1");
      Integrations.delete(management, "traced").then().statusCode(204);
    }
  }

  /**
   * A backend call that fails, to a URI whose path holds a secret (a webhook's token): Camel records
   * the failure on its span as an event quoting the exception, whose message is the whole URI. No
   * exported byte holds the secret, in an event or anywhere else.
   */
  @Test
  void aFailedCallToAUriHoldingASecretExportsNoSecretInItsSpanEvents() throws Exception {
    String secret = "hook-path-S3cret-5e6f7a";
    Files.createDirectories(Path.of("target/test-state/secrets/hook"));
    Files.writeString(Path.of("target/test-state/secrets/hook/path"), secret);
    try (Backend backend = Backend.start(r -> new Backend.Reply(404, "text/plain", "no such hook"))) {
      String source = """
          - route:
              id: notify
              from:
                uri: platform-http:/notify
                steps:
                  - to: "{{config.backend}}/services/{{secret.hook.path}}"
          """;
      Integrations.put(management, Integrations.of("notifier", "1.0.0", source, Map.of("backend", backend.url()),
          List.of(new SecretRef("hook", "path")))).then().statusCode(200);
      String traceId = "6cf92f3577b34da6a3ce929d0e0e4736";
      // platform-http answers with the backend's failed status
      int status = given().header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").post(http + "notify")
          .then().extract().statusCode();
      assertThat(status).isGreaterThanOrEqualTo(400);
      assertThat(backend.received()).hasSize(1);
      assertThat(backend.received().get(0).path()).contains(secret);

      eventually(() -> assertThat(records().stream()
          .filter(r -> r.getString("kind").equals("span") && r.getString("traceId").equals(traceId))
          .map(JsonObject::encode)).anyMatch(span -> span.contains("/services/****")));
      String raw = new JsonObject(given().get(receiver + "/received").asString()).getJsonArray("raw").encode();
      assertHoldsNo(raw, secret, "exported telemetry");
      // the failure is still told, the secret masked
      assertThat(raw).contains("/services/**** with statusCode: 404");
      assertNoSecretInMetrics(secret, "/services/****");
      Integrations.delete(management, "notifier").then().statusCode(204);
    }
  }

  /**
   * An endpoint path holding a secret (a webhook's token): the HTTP server span is named with the
   * public path, the secret masked. Quarkus named it after the Vert.x route Camel registered, the
   * internal versioned path with the value itself in it, and only attributes were redacted.
   */
  @Test
  void theServerSpanOfAnEndpointWhosePathHoldsASecretIsNamedWithThePublicPathMasked() throws Exception {
    String secret = "inbound-S3cret-8d9e0f";
    Files.createDirectories(Path.of("target/test-state/secrets/hook-in"));
    Files.writeString(Path.of("target/test-state/secrets/hook-in/token"), secret);
    String source = """
        - route:
            id: hook-in
            from:
              uri: "platform-http:/hooks/{{secret.hook-in.token}}"
              steps:
                - setBody:
                    constant: "taken"
        """;
    Integrations.put(management, Integrations.of("hook-in", "1.0.0", source, Map.of(),
        List.of(new SecretRef("hook-in", "token")))).then().statusCode(200);
    try {
      String traceId = "7d0a3f4688c45eb7b4df03a1f1f25847";
      given().header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").post(http + "hooks/" + secret)
          .then().statusCode(200);
      eventually(() -> assertThat(records().stream()
          .filter(r -> r.getString("kind").equals("span") && r.getString("traceId").equals(traceId))
          .map(r -> r.getString("name"))).anyMatch(name -> name.contains("/hooks/****")));
      assertThat(records().stream().filter(r -> r.getString("kind").equals("span") && r.getString("traceId").equals(traceId))
          .map(r -> r.getString("name"))).noneMatch(name -> name.contains("/_outpost/"));
      String raw = new JsonObject(given().get(receiver + "/received").asString()).getJsonArray("raw").encode();
      assertHoldsNo(raw, secret, "exported telemetry");
      assertNoSecretInMetrics(secret, "uri=\"/hooks/****\"");
    } finally {
      Integrations.delete(management, "hook-in").then().statusCode(204);
    }
  }

  /**
   * A secret value that happens to occur in an integration's name is masked in the endpoint tags,
   * not in the integration's own: its series are still found, and removed with the version.
   */
  @Test
  void aSecretValueInAnIntegrationsNameLeavesItsSeriesFoundAndRemovedWithTheVersion() throws Exception {
    Files.createDirectories(Path.of("target/test-state/secrets/boxed"));
    Files.writeString(Path.of("target/test-state/secrets/boxed/value"), "meterbox");
    try {
      for (String version : List.of("1", "2")) {
        Integrations.put(management, Integrations.of("meterbox", version, """
            - route:
                id: meterbox
                from:
                  uri: platform-http:/meterbox
                  steps:
                    - setBody:
                        simple: "v%s {{secret.boxed.value}}"
            """.formatted(version), Map.of(), List.of(new SecretRef("boxed", "value")))).then().statusCode(200);
        given().get(http + "meterbox").then().statusCode(200);
        String text = given().get(Integrations.base(management) + "q/metrics").then().extract().asString();
        assertThat(text).as("the integration's own tags as they are")
            .containsPattern("outpost_integration_exchanges_total\\{[^}]*integration=\"meterbox\"[^}]*version=\"" + version + "\"");
      }
      // the old version retires once drained
      eventually(() -> {
        String text = given().get(Integrations.base(management) + "q/metrics").then().extract().asString();
        assertThat(text).as("version 1's series, removed with it").doesNotContainPattern(
            "outpost_integration_[a-z_]+\\{[^}]*integration=\"meterbox\"[^}]*version=\"1\"");
        assertThat(text.lines().filter(l -> l.contains("/_outpost/****/g"))
            .map(l -> l.replaceAll(".*/_outpost/\\*\\*\\*\\*/(g[0-9]+)/.*", "$1")).distinct().toList())
            .as("endpoint series, their secret masked, of one generation: the retired one's removed").hasSize(1);
      });
    } finally {
      Integrations.delete(management, "meterbox").then().statusCode(204);
    }
  }

  /**
   * Camel tags its route and endpoint meters with endpoint URIs, resolved: the management port's
   * Prometheus text is scraped by whatever the chart's {@code metricsFrom} admits, and kept there.
   */
  private void assertNoSecretInMetrics(String secret, String masked) {
    String metrics = given().get(Integrations.base(management) + "q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics).as("the series is there, its tag masked").contains(masked);
    assertHoldsNo(metrics, secret, "the Prometheus text");
  }

  /** Fails showing where {@code text} holds {@code secret}, if it does. */
  private static void assertHoldsNo(String text, String secret, String what) {
    int at = text.indexOf(secret);
    assertThat(at).as("a secret value in %s: %s", what,
        at < 0 ? "" : text.substring(Math.max(0, at - 400), Math.min(text.length(), at + 100))).isEqualTo(-1);
  }

  private List<JsonObject> records() {
    JsonObject all = new JsonObject(given().get(receiver + "/received").asString());
    return all.getJsonArray("records").stream().map(o -> (JsonObject) o).toList();
  }
}
