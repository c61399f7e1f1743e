package dev.outpost.observability.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import dev.outpost.spec.ingest.IntegrationIngestTokens;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class OtlpIngestTest {

  @Inject OtlpServer server;

  private Otlp otlp;
  private String project;
  private String token;

  @BeforeEach
  void setUp() {
    otlp = new Otlp(server.port());
    project = "p-" + UUID.randomUUID();
    token = TestIdpResource.idp().token("alice", List.of(project, "acme"));
  }

  private List<Map<String, Object>> logs(String query) {
    return given().auth().oauth2(token).queryParam("q", query).queryParam("project", project)
        .get("/api/v1/logs").then().statusCode(200).extract().jsonPath().getList("records");
  }

  private static long now() {
    return System.currentTimeMillis() * 1_000_000L;
  }

  @Test
  void protobufLogsAreAcknowledgedAndSearchable() {
    // the application's first search loads and compiles the query path (a second or more on a busy
    // machine), which is not what this measures: one search before the record is sent
    assertThat(logs("body:payment")).isEmpty();
    otlp.send(Otlp.logs(Otlp.resource("checkout", project),
        List.of(Otlp.log(now(), "payment accepted for order 4711", Map.of("order.id", "4711")))));
    // searchable at the next refresh (every 200 ms, at most 1 s by the config check); how soon is the benchmark's to measure, not a
    // test's on a loaded machine
    Eventually.within(Duration.ofSeconds(10), "record visible", () -> logs("body:payment").size() == 1);

    Map<String, Object> record = logs("attr.order.id:4711").get(0);
    assertThat(record).containsEntry("body", "payment accepted for order 4711")
        .containsEntry("service", "checkout").containsEntry("project", project).containsEntry("severity", "INFO");
  }

  @Test
  void anAttributeTooLongForOneIndexTermIsStoredWholeAndTheBatchAccepted() throws Exception {
    // a stack trace attribute over Lucene's 32,766-byte term limit (3 UTF-8 bytes per character)
    String stackTrace = "at café.Checkout.pay(Checkout.java:42) ─ ".repeat(1_200);
    assertThat(stackTrace.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(32_766);
    var request = Otlp.logs(Otlp.resource("checkout", project), List.of(
        Otlp.log(now(), "first of three", Map.of()),
        Otlp.log(now(), "payment crashed", Map.of("exception.stacktrace", stackTrace, "order.id", "4712")),
        Otlp.log(now(), "third of three", Map.of())));
    HttpResponse<byte[]> response = otlp.post("/v1/logs", "application/x-protobuf", request.toByteArray(),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(ExportLogsServiceResponse.parseFrom(response.body()).getPartialSuccess().getRejectedLogRecords()).isZero();

    Eventually.within(Duration.ofSeconds(5), "all three records", () -> logs("service:checkout").size() == 3);
    Map<String, Object> crashed = logs("attr.order.id:4712").get(0);
    assertThat(crashed).containsEntry("body", "payment crashed");
    assertThat(((Map<?, ?>) crashed.get("attributes")).get("exception.stacktrace")).isEqualTo(stackTrace);

    String traceId = "7b8efff798038103d269b633813fc60c";
    otlp.send(Otlp.traces(Otlp.resource("checkout", project), List.of(
        Otlp.span(traceId, "aaa19b7ec3c1b174", null, "pay", now(), 1_000_000, Map.of("exception.stacktrace", stackTrace)))));
    Eventually.within(Duration.ofSeconds(5), "the span", () -> given().auth().oauth2(token)
        .get("/api/v1/traces/" + traceId).statusCode() == 200);
    JsonPath trace = given().auth().oauth2(token).get("/api/v1/traces/" + traceId).then().statusCode(200)
        .extract().jsonPath();
    assertThat(trace.getString("spans[0].attributes['exception.stacktrace']")).isEqualTo(stackTrace);
  }

  @Test
  void anAttributeKeyPastJacksonsDefaultNameLimitIsReturnedNotAFiveHundred() {
    String key = "k".repeat(60_000);
    otlp.send(Otlp.logs(Otlp.resource("checkout", project),
        List.of(Otlp.log(now(), "record with a long key", Map.of(key, "v")))));
    Eventually.within(Duration.ofSeconds(5), "the record", () -> logs("\"long key\"").size() == 1);
    assertThat(((Map<?, ?>) logs("\"long key\"").get(0).get("attributes")).get(key)).isEqualTo("v");

    String traceId = "8b8efff798038103d269b633813fc60c";
    otlp.send(Otlp.traces(Otlp.resource("checkout", project), List.of(
        Otlp.span(traceId, "aaa19b7ec3c1b175", null, "pay", now(), 1_000_000, Map.of(key, "v")))));
    Eventually.within(Duration.ofSeconds(5), "the span", () -> given().auth().oauth2(token)
        .get("/api/v1/traces/" + traceId).statusCode() == 200);
    given().auth().oauth2(token).queryParam("service", "checkout").get("/api/v1/traces").then().statusCode(200);
  }

  @Test
  void jsonTextProtobufCannotEncodeIsStoredAsTheJournalKeepsIt() {
    // an unpaired surrogate: valid JSON, not encodable as UTF-8; the journal's protobuf turns it into '?'
    String json = """
        {"resourceLogs":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"surrogates"}},
            {"key":"outpost.project","value":{"stringValue":"%s"}}]},
          "scopeLogs":[{"logRecords":[{"timeUnixNano":"%d","body":{"stringValue":"lonely \\udc00 half"}}]}]}]}
        """.formatted(project, now());
    assertThat(otlp.post("/v1/logs", "application/json", json.getBytes(StandardCharsets.UTF_8),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode()).isEqualTo(200);
    Eventually.within(Duration.ofSeconds(5), "the record", () -> logs("service:surrogates").size() == 1);
    assertThat(logs("service:surrogates").get(0)).containsEntry("body", "lonely ? half");
  }

  @Test
  void jsonFollowsOtlpJsonRules() {
    String traceId = "5b8efff798038103d269b633813fc60c";
    String json = """
        {"resourceLogs":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"billing"}},
            {"key":"outpost.project","value":{"stringValue":"%s"}}]},
          "scopeLogs":[{"scope":{"name":"x"},"someFutureField":1,"logRecords":[{
            "timeUnixNano":"%d","severityNumber":17,"severityText":"Error",
            "body":{"stringValue":"invoice failed"},
            "traceId":"%s","spanId":"eee19b7ec3c1b174",
            "attributes":[{"key":"retries","value":{"intValue":"3"}}],
            "unknownField":{"nested":true}}]}]}]}
        """.formatted(project, now(), traceId);
    HttpResponse<byte[]> response = otlp.post("/v1/logs", "application/json",
        json.getBytes(StandardCharsets.UTF_8), Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");

    Eventually.within(Duration.ofSeconds(5), "json record", () -> logs("traceId:" + traceId).size() == 1);
    Map<String, Object> record = logs("traceId:" + traceId).get(0);
    assertThat(record).containsEntry("spanId", "eee19b7ec3c1b174").containsEntry("severity", "ERROR")
        .containsEntry("severityNumber", 17);
    assertThat(record.get("attributes")).as("the scope's name with the record's own")
        .isEqualTo(Map.of("retries", "3", "otel.scope.name", "x"));
  }

  /**
   * Jackson read a JSON body's first value and the last of a key given twice: a second batch appended
   * to the first, or the records under the first of two {@code resourceLogs}, were lost, answered 200.
   * Now such a body is refused whole, and nothing of it is stored.
   */
  @Test
  void aJsonBodyThatWouldBeReadInPartIsRefusedAndNothingOfItStored() {
    String twoBatches = "{\"resourceLogs\":" + resourceLogs("first of two batches") + "}"
        + "{\"resourceLogs\":" + resourceLogs("second of two batches") + "}";
    String keyTwice = "{\"resourceLogs\":" + resourceLogs("first of two keys") + ",\"resourceLogs\":"
        + resourceLogs("second of two keys") + "}";
    Map<String, String> refusals = Map.of(twoBatches, "body must be one JSON object, but more follows",
        keyTwice, "body gives the key \"resourceLogs\" twice in one object");
    refusals.forEach((body, message) -> {
      HttpResponse<byte[]> response = otlp.post("/v1/logs", "application/json", body.getBytes(StandardCharsets.UTF_8),
          Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
      assertThat(response.statusCode()).as(body).isEqualTo(400);
      assertThat(JsonPath.from(new String(response.body(), StandardCharsets.UTF_8)).getString("message")).as(body)
          .startsWith(message);
    });

    // stored after the refused ones: once it is searchable, so would they be
    String after = "{\"resourceLogs\":" + resourceLogs("after the refusals") + "}";
    assertThat(otlp.post("/v1/logs", "application/json", after.getBytes(StandardCharsets.UTF_8),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode()).isEqualTo(200);
    Eventually.within(Duration.ofSeconds(5), "the accepted record", () -> logs("service:partial").size() == 1);
    assertThat(logs("service:partial")).extracting(r -> r.get("body")).containsExactly("after the refusals");
  }

  /** The {@code resourceLogs} array of one record of service {@code partial} in the test's project. */
  private String resourceLogs(String body) {
    return """
        [{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"partial"}},
            {"key":"outpost.project","value":{"stringValue":"%s"}}]},
          "scopeLogs":[{"logRecords":[{"timeUnixNano":"%d","body":{"stringValue":"%s"}}]}]}]""".formatted(project, now(), body);
  }

  @Test
  void gzipBodiesAreAccepted() throws Exception {
    byte[] plain = Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(now(), "zipped hello", Map.of())))
        .toByteArray();
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
      gzip.write(plain);
    }
    Map<String, String> headers = new HashMap<>(Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    headers.put("Content-Encoding", "gzip");
    assertThat(otlp.post("/v1/logs", "application/x-protobuf", zipped.toByteArray(), headers).statusCode())
        .isEqualTo(200);
    Eventually.within(Duration.ofSeconds(5), "gzipped record", () -> logs("zipped").size() == 1);
  }

  @Test
  void recordsWithoutAProjectArePartiallyRejected() throws Exception {
    var request = Otlp.logs(Otlp.resource("svc", ""), List.of(
        Otlp.log(now(), "owned record", Map.of("outpost.project", project)),
        Otlp.log(now(), "orphan record", Map.of()),
        Otlp.log(now(), "unsearchable record", Map.of("outpost.project", "p".repeat(257))),
        Otlp.log(now() - Duration.ofDays(30).toNanos(), "ancient record", Map.of("outpost.project", project))));
    HttpResponse<byte[]> response = otlp.post("/v1/logs", "application/x-protobuf", request.toByteArray(),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(response.statusCode()).isEqualTo(200);
    ExportLogsServiceResponse body = ExportLogsServiceResponse.parseFrom(response.body());
    assertThat(body.getPartialSuccess().getRejectedLogRecords()).isEqualTo(3);
    assertThat(body.getPartialSuccess().getErrorMessage())
        .contains("without an outpost.project attribute (of at most 256 characters)")
        .contains("older than the retention period");
    Eventually.within(Duration.ofSeconds(5), "owned record", () -> logs("owned").size() == 1);
    assertThat(logs("ancient")).isEmpty();
  }

  @Test
  void spansWithAllZeroIdsOrNoStartTimeAreRefusedSayingWhy() throws Exception {
    String zeroTrace = "0".repeat(32);
    var spans = Otlp.traces(Otlp.resource("svc", project), List.of(
        Otlp.span(zeroTrace, "aaa19b7ec3c1b180", null, "zero trace", now(), 1_000, Map.of()),
        Otlp.span("5b8efff798038103d269b633813fc60c", "0".repeat(16), null, "zero span", now(), 1_000, Map.of()),
        Otlp.span("5b8efff798038103d269b633813fc60d", "aaa19b7ec3c1b181", null, "no start", 0, 1_000, Map.of()),
        Otlp.span("5b8efff798038103d269b633813fc60e", "aaa19b7ec3c1b182", null, "whole", now(), 1_000, Map.of())));
    HttpResponse<byte[]> response = otlp.post("/v1/traces", "application/x-protobuf", spans.toByteArray(),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(response.statusCode()).isEqualTo(200);
    var body = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.parseFrom(response.body());
    assertThat(body.getPartialSuccess().getRejectedSpans()).isEqualTo(3);
    assertThat(body.getPartialSuccess().getErrorMessage()).contains("all-zero trace id or span id")
        .contains("without a start time").doesNotContain("retention");
  }

  @Test
  void timesPastTheSignedRangeAreRefusedAsFutureNotAsOld() throws Exception {
    // OTLP times are unsigned 64-bit: past 2^63 ns (year 2262) they are far in the future
    long past2262 = Long.MIN_VALUE + 5;
    var logs = Otlp.logs(Otlp.resource("svc", project), List.of(
        Otlp.log(past2262, "far future record", Map.of()),
        Otlp.log(-1L, "last unsigned time", Map.of()),
        Otlp.log(now(), "present record", Map.of())));
    HttpResponse<byte[]> logsAnswer = otlp.post("/v1/logs", "application/x-protobuf", logs.toByteArray(),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(ExportLogsServiceResponse.parseFrom(logsAnswer.body()).getPartialSuccess().getErrorMessage())
        .isEqualTo("2 log records more than a day in the future");

    var spans = Otlp.traces(Otlp.resource("svc", project), List.of(Otlp.span(
        UUID.randomUUID().toString().replace("-", ""), "00000000000000a1", null, "far", past2262, 1, Map.of())));
    HttpResponse<byte[]> spansAnswer = otlp.post("/v1/traces", "application/x-protobuf", spans.toByteArray(),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(ExportTraceServiceResponse.parseFrom(spansAnswer.body()).getPartialSuccess().getErrorMessage())
        .isEqualTo("1 spans more than a day in the future");
    Eventually.within(Duration.ofSeconds(5), "present record", () -> logs("present").size() == 1);
  }

  /**
   * A record's observed time more than a day ahead is refused as its time is, whether it came as
   * protobuf or JSON: past 2^63 ns (unsigned, read as a negative long) it was stored and shown as
   * the year 1677. An old one is kept: it decides no day, and a replay must take what was acknowledged.
   */
  @Test
  void observedTimesInTheFutureAreRefusedAsTheRecordsTimeIs() throws Exception {
    long now = now();
    var logs = Otlp.logs(Otlp.resource("svc", project), List.of(
        observed(Otlp.log(now, "observed far", Map.of()), Long.MIN_VALUE + 5),
        observed(Otlp.log(now, "observed last unsigned", Map.of()), -1L),
        observed(Otlp.log(now, "observed ancient", Map.of()), 1_000L),
        observed(Otlp.log(0, "observed only far", Map.of()), -1L),
        observed(Otlp.log(now, "observed present", Map.of()), now + 1_000)));
    HttpResponse<byte[]> answer = otlp.post("/v1/logs", "application/x-protobuf", logs.toByteArray(),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(answer.statusCode()).isEqualTo(200);
    var partial = ExportLogsServiceResponse.parseFrom(answer.body()).getPartialSuccess();
    assertThat(partial.getRejectedLogRecords()).isEqualTo(3);
    assertThat(partial.getErrorMessage()).isEqualTo("1 log records more than a day in the future; "
        + "2 log records with an observedTimeUnixNano more than a day in the future");

    String json = """
        {"resourceLogs":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"svc"}},
            {"key":"outpost.project","value":{"stringValue":"%s"}}]},
          "scopeLogs":[{"logRecords":[
            {"timeUnixNano":"%d","observedTimeUnixNano":"18446744073709551615","body":{"stringValue":"observed json far"}},
            {"timeUnixNano":"%d","observedTimeUnixNano":"%d","body":{"stringValue":"observed json present"}}]}]}]}
        """.formatted(project, now, now, now);
    HttpResponse<byte[]> jsonAnswer = otlp.post("/v1/logs", "application/json", json.getBytes(StandardCharsets.UTF_8),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(jsonAnswer.statusCode()).isEqualTo(200);
    assertThat(new String(jsonAnswer.body(), StandardCharsets.UTF_8))
        .contains("1 log records with an observedTimeUnixNano more than a day in the future");

    Eventually.within(Duration.ofSeconds(5), "the present records", () -> logs("observed AND present").size() == 2);
    Map<Object, Object> shown = new HashMap<>();
    logs("observed").forEach(r -> shown.put(r.get("body"), r.get("observedTimestamp")));
    assertThat(shown).containsOnlyKeys("observed present", "observed json present", "observed ancient")
        .containsEntry("observed ancient", "1970-01-01T00:00:00.000001Z");
    assertThat(shown.get("observed present")).isEqualTo(dev.outpost.observability.query.Views.time(now + 1_000));
  }

  private static io.opentelemetry.proto.logs.v1.LogRecord observed(io.opentelemetry.proto.logs.v1.LogRecord r,
      long observedNanos) {
    return r.toBuilder().setObservedTimeUnixNano(observedNanos).build();
  }

  @Test
  void anIntegrationTokenBindsItsProjectWhateverTheAttributesSay() {
    String acmeToken = TestIdpResource.idp().token("bob", List.of("acme"));
    String marker = "bound" + UUID.randomUUID().toString().replace("-", "");
    var request = Otlp.logs(Otlp.resource("orders", "someone-else"),
        List.of(Otlp.log(now(), marker, Map.of("outpost.project", "someone-else"))));
    assertThat(otlp.post("/v1/logs", "application/x-protobuf", request.toByteArray(),
        Otlp.bearer(Otlp.ORDERS_SYNC_TOKEN)).statusCode()).isEqualTo(200);
    Eventually.within(Duration.ofSeconds(5), "bound record", () -> given().auth().oauth2(acmeToken)
        .queryParam("q", marker).get("/api/v1/logs").jsonPath().getList("records").size() == 1);
    JsonPath found = given().auth().oauth2(acmeToken).queryParam("q", marker).get("/api/v1/logs").jsonPath();
    assertThat(found.getString("records[0].project")).isEqualTo("acme");
    assertThat(found.getString("records[0].integration")).isEqualTo("orders-sync");
    String otherToken = TestIdpResource.idp().token("eve", List.of("someone-else"));
    assertThat(given().auth().oauth2(otherToken).queryParam("q", marker).get("/api/v1/logs").jsonPath()
        .getList("records")).isEmpty();
  }

  @Test
  void aTokenTheAgentIssuedBindsItsProjectAndIntegration() {
    IntegrationIngestTokens issuer = new IntegrationIngestTokens(Otlp.DATA_PLANE_TOKEN);
    String acmeToken = TestIdpResource.idp().token("bob", List.of("acme"));
    String marker = "issued" + UUID.randomUUID().toString().replace("-", "");
    var request = Otlp.logs(Otlp.resource("billing", "someone-else"),
        List.of(Otlp.log(now(), marker, Map.of("outpost.project", "someone-else", "outpost.integration", "crm"))));
    assertThat(otlp.post("/v1/logs", "application/x-protobuf", request.toByteArray(),
        Otlp.bearer(issuer.issue("acme", "billing"))).statusCode()).isEqualTo(200);
    Eventually.within(Duration.ofSeconds(5), "issued record", () -> given().auth().oauth2(acmeToken)
        .queryParam("q", marker).get("/api/v1/logs").jsonPath().getList("records").size() == 1);
    JsonPath found = given().auth().oauth2(acmeToken).queryParam("q", marker).get("/api/v1/logs").jsonPath();
    assertThat(found.getString("records[0].project")).isEqualTo("acme");
    assertThat(found.getString("records[0].integration")).isEqualTo("billing");

    // forged: issued under another data plane's token, or renamed to another project
    String foreign = new IntegrationIngestTokens(Otlp.DATA_PLANE_TOKEN + "-other").issue("acme", "billing");
    String issued = issuer.issue("acme", "billing");
    String renamed = "oit1.someone-else.billing." + issued.substring(issued.lastIndexOf('.') + 1);
    for (String forged : List.of(foreign, renamed, issued + "x")) {
      HttpResponse<byte[]> refused = otlp.post("/v1/logs", "application/x-protobuf", request.toByteArray(),
          Otlp.bearer(forged));
      assertThat(refused.statusCode()).as(forged).isEqualTo(401);
    }
    // and nothing of them was stored: once a record sent after them is found, the marker is still
    // acme's one record, and none under the project a forged token named
    String after = "after" + UUID.randomUUID().toString().replace("-", "");
    assertThat(otlp.post("/v1/logs", "application/x-protobuf", Otlp.logs(Otlp.resource("billing", "someone-else"),
        List.of(Otlp.log(now(), after, Map.of()))).toByteArray(), Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode())
        .isEqualTo(200);
    String otherToken = TestIdpResource.idp().token("eve", List.of("someone-else"));
    Eventually.within(Duration.ofSeconds(5), "the record sent after", () -> given().auth().oauth2(otherToken)
        .queryParam("q", after).get("/api/v1/logs").jsonPath().getList("records").size() == 1);
    assertThat(given().auth().oauth2(otherToken).queryParam("q", marker).get("/api/v1/logs").jsonPath()
        .getList("records")).as("stored under the project a forged token named").isEmpty();
    assertThat(given().auth().oauth2(acmeToken).queryParam("q", marker).get("/api/v1/logs").jsonPath()
        .getList("records")).as("acme's record, once").hasSize(1);
  }

  /** Without a previous token configured, a retired one and what was derived from it stay refused. */
  @Test
  void aRetiredIngestTokenIsRefusedWhenNoPreviousOneIsConfigured() {
    String retired = "test-retired-data-plane-token-0123456789";
    byte[] request = Otlp.logs(Otlp.resource("checkout", project), List.of(Otlp.log(now(), "retired", Map.of())))
        .toByteArray();
    for (String token : List.of(retired, new IntegrationIngestTokens(retired).issue("acme", "billing"))) {
      assertThat(otlp.post("/v1/logs", "application/x-protobuf", request, Otlp.bearer(token)).statusCode()).as(token)
          .isEqualTo(401);
    }
  }

  @Test
  void tracesAreStoredAndReturnedAsASpanTree() throws Exception {
    String traceId = UUID.randomUUID().toString().replace("-", "");
    long start = now();
    var request = Otlp.traces(Otlp.resource("gateway", project), List.of(
        Otlp.span(traceId, "00000000000000a2", "00000000000000a1", "GET /orders/{id}", start + 1_000_000, 5_000_000,
            Map.of()),
        Otlp.span(traceId, "00000000000000a1", null, "HTTP GET", start, 9_000_000, Map.of("http.route", "/orders"))));
    HttpResponse<byte[]> response = otlp.post("/v1/traces", "application/x-protobuf", request.toByteArray(),
        Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(ExportTraceServiceResponse.parseFrom(response.body()).hasPartialSuccess()).isFalse();

    // spans are documents of their own: a searcher refresh may land between the two
    Eventually.within(Duration.ofSeconds(5), "both spans", () -> {
      var answer = given().auth().oauth2(token).get("/api/v1/traces/" + traceId);
      return answer.statusCode() == 200 && answer.jsonPath().getList("spans").size() == 2;
    });
    JsonPath trace = given().auth().oauth2(token).get("/api/v1/traces/" + traceId).jsonPath();
    assertThat(trace.getList("spans.spanId")).containsExactly("00000000000000a1", "00000000000000a2");
    assertThat(trace.getList("spans.depth")).containsExactly(0, 1);
    assertThat(trace.getLong("durationNanos")).isEqualTo(9_000_000L);
  }

  @Test
  void badRequestsGetClearErrorsAndLoseNothingAlreadyStored() {
    otlp.send(Otlp.logs(Otlp.resource("svc", project), List.of(Otlp.log(now(), "survivor", Map.of()))));
    Eventually.within(Duration.ofSeconds(5), "survivor", () -> logs("survivor").size() == 1);

    byte[] big = new byte[4 * 1024 * 1024 + 1];
    record Case(String name, String path, String type, byte[] body, Map<String, String> headers, int status,
        String message) {}
    Map<String, String> auth = Otlp.bearer(Otlp.DATA_PLANE_TOKEN);
    Map<String, String> gzipAuth = new HashMap<>(auth);
    gzipAuth.put("Content-Encoding", "gzip");
    List<Case> cases = List.of(
        new Case("bad protobuf", "/v1/logs", "application/x-protobuf", new byte[] {(byte) 0xff, 1, 2}, auth, 400,
            "not a valid protobuf"),
        new Case("bad json", "/v1/logs", "application/json", "{\"resourceLogs\":[".getBytes(), auth, 400,
            "not valid JSON"),
        new Case("json of wrong shape", "/v1/traces", "application/json", "{\"resourceSpans\":7}".getBytes(), auth,
            400, "not a valid OTLP JSON"),
        new Case("non-hex trace id", "/v1/logs", "application/json",
            "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"zz\"}]}]}]}".getBytes(), auth, 400,
            "traceId must be hex"),
        new Case("trace id as a number", "/v1/logs", "application/json",
            "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":12345}]}]}]}".getBytes(), auth, 400,
            "traceId must be a string of hex digits, got 12345"),
        new Case("span id as an object", "/v1/traces", "application/json",
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":{}}]}]}]}".getBytes(), auth, 400,
            "spanId must be a string of hex digits"),
        new Case("bytes value not base64", "/v1/logs", "application/json",
            "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"bytesValue\":\"!!\"}}]}]}]}".getBytes(),
            auth, 400, "bytesValue must be base64"),
        new Case("time not a number", "/v1/logs", "application/json",
            ("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"ok\"}},"
                + "{\"timeUnixNano\":\"abc\"}]}]}]}").getBytes(), auth, 400,
            "resourceLogs[0].scopeLogs[0].logRecords[1].timeUnixNano: "),
        new Case("attribute value of the wrong type", "/v1/traces", "application/json",
            ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"n\","
                + "\"value\":{\"intValue\":\"x7\"}}]}]}]}]}").getBytes(), auth, 400,
            "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: "),
        new Case("bad gzip", "/v1/logs", "application/x-protobuf", "not gzip".getBytes(), gzipAuth, 400,
            "not valid gzip"),
        new Case("empty gzip", "/v1/logs", "application/x-protobuf", new byte[0], gzipAuth, 400,
            "body is not valid gzip: it ends early"),
        new Case("JSON nested past what protobuf reads", "/v1/logs", "application/json",
            ("{\"x\":" + "[".repeat(300) + "]".repeat(300) + "}").getBytes(), auth, 400,
            "body is past a limit of this server: Document nesting depth (256) exceeds the maximum allowed (255)"),
        new Case("too large", "/v1/logs", "application/x-protobuf", big, auth, 413, "larger than"),
        new Case("no token", "/v1/logs", "application/x-protobuf", new byte[0], Map.of(), 401, "bearer token"),
        new Case("wrong token", "/v1/logs", "application/x-protobuf", new byte[0], Otlp.bearer("nope"), 401,
            "bearer token"),
        new Case("query JWT is not an ingest token", "/v1/logs", "application/x-protobuf", new byte[0],
            Otlp.bearer(token), 401, "bearer token"),
        new Case("unsupported type", "/v1/logs", "text/plain", "hi".getBytes(), auth, 415, "Content-Type"),
        new Case("unknown path", "/v1/metrics", "application/x-protobuf", new byte[0], auth, 404, "/v1/logs"));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      HttpResponse<byte[]> response = otlp.post(c.path(), c.type(), c.body(), c.headers());
      String body = new String(response.body(), StandardCharsets.UTF_8);
      // a message for the sender, not a Java class name
      if (response.statusCode() != c.status() || !body.contains(c.message()) || body.contains("com.google")) {
        failures.add(c.name() + ": " + response.statusCode() + " " + body);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(logs("survivor")).hasSize(1);
  }

  @Test
  void emptyRequestsAreAcknowledged() {
    assertThat(otlp.post("/v1/logs", "application/x-protobuf", new byte[0], Otlp.bearer(Otlp.DATA_PLANE_TOKEN))
        .statusCode()).isEqualTo(200);
    assertThat(otlp.post("/v1/logs", "application/json", "{}".getBytes(), Otlp.bearer(Otlp.DATA_PLANE_TOKEN))
        .statusCode()).isEqualTo(200);
  }

}
