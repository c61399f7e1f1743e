package dev.outpost.observability.jaeger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class JaegerApiTest {

  @Inject OtlpServer server;

  private String token;
  private String project;
  private String traceId;
  private String service;
  private long start;

  @BeforeEach
  void ingestATrace() {
    project = "j-" + UUID.randomUUID();
    service = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    token = TestIdpResource.idp().token("alice", List.of(project));
    traceId = "00000000" + UUID.randomUUID().toString().replace("-", "").substring(8);
    start = System.currentTimeMillis() * 1_000_000L;
    Span root = Otlp.span(traceId, "00000000000000f1", null, "GET /orders", start, 3_000_000, Map.of("http.route",
        "/orders"));
    Span child = Span.newBuilder(Otlp.span(traceId, "00000000000000f2", "00000000000000f1", "SELECT orders",
            start + 1_000_000, 1_000_000, Map.of("db.system", "postgresql", "attempt", "1")))
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("timeout"))
        .addEvents(Span.Event.newBuilder().setName("retry").setTimeUnixNano(start + 1_500_000)
            .addAttributes(Otlp.attr("attempt", "2")))
        // the message it works on was sent in another trace
        .addLinks(Span.Link.newBuilder().setTraceId(bytes(LINKED_TRACE)).setSpanId(bytes(LINKED_SPAN)))
        .build();
    new Otlp(server.port()).send(Otlp.traces(Otlp.resource(service, project), List.of(root, child)));
    // both spans: a refresh between the two documents of one export can show the root alone
    Eventually.within(Duration.ofSeconds(5), "trace stored", () -> {
      Response stored = api().get("/jaeger/api/traces/" + traceId);
      return stored.statusCode() == 200 && stored.jsonPath().getList("data[0].spans").size() == 2;
    });
  }

  private static final String LINKED_TRACE = "abcdef0123456789abcdef0123456789";
  private static final String LINKED_SPAN = "0123456789abcdef";

  private static com.google.protobuf.ByteString bytes(String hex) {
    return com.google.protobuf.ByteString.copyFrom(java.util.HexFormat.of().parseHex(hex));
  }

  private RequestSpecification api() {
    return given().auth().oauth2(token);
  }

  @Test
  void anotherProjectsManySpanNamesDoNotSlowDownListingOperations() {
    // span names with an id in them ("GET /orders/123"), a common instrumentation slip, in another
    // project: listing this project's operations ran one search per distinct name of the
    // partition, about 3 s at 100,000 names (7-11 s at 200,000), on every Jaeger UI service pick
    Otlp otlp = new Otlp(server.port());
    String crowded = "crowded-" + UUID.randomUUID();
    for (int request = 0; request < 50; request++) {
      List<Span> spans = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        int n = request * 2000 + i;
        spans.add(Otlp.span(String.format("%032x", n + 1), String.format("%016x", n + 1), null, "GET /orders/" + n,
            start, 1_000, Map.of()));
      }
      otlp.send(Otlp.traces(Otlp.resource("crowded", crowded), spans));
    }
    Eventually.within(Duration.ofSeconds(5), "the last name", () -> given()
        .auth().oauth2(TestIdpResource.idp().token("bob", List.of(crowded)))
        .queryParam("service", "crowded").queryParam("operation", "GET /orders/99999").get("/jaeger/api/traces")
        .jsonPath().getList("data").size() == 1);

    long started = System.nanoTime();
    JsonPath operations = api().queryParam("service", service).get("/jaeger/api/operations")
        .then().statusCode(200).extract().jsonPath();
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(operations.getList("data.name")).containsExactlyInAnyOrder("GET /orders", "SELECT orders");
    // tens of ms when only the service's own names are read; the walk of all 100,000 took 3 s and more
    assertThat(took).isLessThan(Duration.ofMillis(2500));
  }

  @Test
  void aServiceWithManyOperationsListsEachNameWithEveryKindItHas() {
    // one search per name for its kinds read every kind's postings, every project's, once per name
    Otlp otlp = new Otlp(server.port());
    String busy = "busy-" + UUID.randomUUID();
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      Span server = Otlp.span(String.format("%032x", i + 1), String.format("%016x", i + 1), null, "op-" + i, start,
          1_000, Map.of());
      spans.add(i % 3 == 0 ? server.toBuilder().setKind(Span.SpanKind.SPAN_KIND_CLIENT).build() : server);
    }
    // op-1 is also a producer span
    spans.add(Otlp.span(String.format("%032x", 9999), String.format("%016x", 9999), null, "op-1", start, 1_000,
        Map.of()).toBuilder().setKind(Span.SpanKind.SPAN_KIND_PRODUCER).build());
    otlp.send(Otlp.traces(Otlp.resource("busy", busy), spans));
    RequestSpecification reader = given().auth().oauth2(TestIdpResource.idp().token("carol", List.of(busy)));
    Eventually.within(Duration.ofSeconds(5), "all stored", () -> reader.queryParam("service", "busy")
        .get("/jaeger/api/operations").jsonPath().getList("data").size() == 1501);

    JsonPath operations = reader.queryParam("service", "busy").get("/jaeger/api/operations").jsonPath();
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < operations.getList("data").size(); i++) {
      pairs.add(operations.getString("data[" + i + "].name") + " " + operations.getString("data[" + i + "].spanKind"));
    }
    assertThat(pairs).hasSize(1501).contains("op-0 client", "op-1 server", "op-1 producer", "op-2 server",
        "op-1499 server").doesNotContain("op-0 server", "op-2 client");
  }

  @Test
  void v1ServicesOperationsAndTraceSearch() {
    assertThat(api().get("/jaeger/api/services").jsonPath().getList("data")).containsExactly(service);
    assertThat(api().get("/jaeger/api/services/" + service + "/operations").jsonPath().getList("data"))
        .containsExactlyInAnyOrder("GET /orders", "SELECT orders");
    JsonPath operations = api().queryParam("service", service).get("/jaeger/api/operations").jsonPath();
    assertThat(operations.getList("data.spanKind")).containsExactlyInAnyOrder("server", "client");
    assertThat(api().queryParam("service", service).queryParam("spanKind", "client").get("/jaeger/api/operations")
        .jsonPath().getList("data.name")).containsExactly("SELECT orders");

    JsonPath found = api().queryParam("service", service).queryParam("tags", "{\"db.system\":\"postgresql\"}")
        .queryParam("minDuration", "500us").get("/jaeger/api/traces").then().statusCode(200).extract().jsonPath();
    assertThat(found.getList("data.traceID")).containsExactly(traceId);
    assertThat(found.getInt("total")).isEqualTo(1);
    assertThat(found.getList("errors")).isNull();
    assertThat(api().queryParam("service", service).queryParam("tag", "db.system:mysql").get("/jaeger/api/traces")
        .jsonPath().getList("data")).isEmpty();
    // the tags the trace view makes up from a span's status and kind find it too, as in Jaeger (error=true: failed traces)
    for (Map.Entry<String, String> tag : List.of(Map.entry("tags", "{\"error\":\"true\"}"),
        Map.entry("tag", "span.kind:client"), Map.entry("tag", "otel.status_code:ERROR"),
        Map.entry("tags", "{\"error\":\"true\",\"span.kind\":\"client\",\"db.system\":\"postgresql\"}"))) {
      assertThat(api().queryParam("service", service).queryParam(tag.getKey(), tag.getValue()).get("/jaeger/api/traces")
          .then().statusCode(200).extract().jsonPath().getList("data.traceID")).as(tag.getValue()).containsExactly(traceId);
    }
    // and what it shows in a span's logs and as its status description, as Jaeger's stores search them
    for (String shown : List.of("attempt:1", "attempt:2", "event:retry", "otel.status_description:timeout")) {
      assertThat(api().queryParam("service", service).queryParam("tag", shown).get("/jaeger/api/traces")
          .then().statusCode(200).extract().jsonPath().getList("data.traceID")).as(shown).containsExactly(traceId);
    }
    for (String absent : List.of("span.kind:producer", "otel.status_code:OK", "error:false", "attempt:3",
        "otel.status_description:refused")) {
      assertThat(api().queryParam("service", service).queryParam("tag", absent).get("/jaeger/api/traces")
          .then().statusCode(200).extract().jsonPath().getList("data")).as(absent).isEmpty();
    }
  }

  /** Jaeger UI's trace compare and lookup of several ids: {@code /api/traces?traceID=a&traceID=b}, no service needed. */
  @Test
  void v1LooksUpTracesByIdWithoutAService() {
    JsonPath found = api().queryParam("traceID", traceId.replaceFirst("^0+", "")).queryParam("traceID", "e".repeat(32))
        .get("/jaeger/api/traces").then().statusCode(200).extract().jsonPath();
    assertThat(found.getList("data.traceID")).containsExactly(traceId);
    assertThat(found.getList("data[0].spans")).hasSize(2);
    // each id not found is named in errors, as Jaeger answers: the UI's compare marks it instead of waiting
    assertThat(found.getList("errors.traceID")).containsExactly("e".repeat(32));
    assertThat(found.getString("errors[0].msg")).isEqualTo("trace not found");
    // another project's token finds nothing by the id: to it the trace is not found, like one that never was
    JsonPath other = given().auth().oauth2(TestIdpResource.idp().token("mallory", List.of("j-other-" + UUID.randomUUID())))
        .queryParam("traceID", traceId).get("/jaeger/api/traces").then().statusCode(200).extract().jsonPath();
    assertThat(other.getList("data")).isEmpty();
    assertThat(other.getList("errors.traceID")).containsExactly(traceId);
  }

  /** Newer Jaeger clients search with {@code query.attributes} (a JSON object) and {@code query.num_traces}. */
  @Test
  void v3SearchFiltersByAttributesAndCountsTraces() {
    JsonPath found = api().queryParam("query.service_name", service)
        .queryParam("query.attributes", "{\"db.system\":\"postgresql\",\"error\":\"true\"}")
        .queryParam("query.num_traces", "5").queryParam("query.duration_min", "1m30s")
        .get("/jaeger/api/v3/traces").then().statusCode(200).extract().jsonPath();
    assertThat(found.getList("result.resourceSpans")).as("no trace lasts 90 s").isNullOrEmpty();
    found = api().queryParam("query.service_name", service)
        .queryParam("query.attributes", "{\"db.system\":\"postgresql\",\"error\":\"true\"}")
        .queryParam("query.num_traces", "5").queryParam("query.duration_min", ".5ms")
        .get("/jaeger/api/v3/traces").then().statusCode(200).extract().jsonPath();
    assertThat(found.getList("result.resourceSpans[0].scopeSpans[0].spans.traceId")).containsOnly(traceId);
    assertThat(api().queryParam("query.service_name", service).queryParam("query.attributes", "{\"db.system\":\"mysql\"}")
        .get("/jaeger/api/v3/traces").then().statusCode(200).extract().jsonPath().getList("result.resourceSpans"))
        .isNullOrEmpty();

    // the service above has one trace: num_traces is exercised by one with more traces than it
    String many = "j-many-" + UUID.randomUUID();
    List<String> ids = new ArrayList<>();
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(UUID.randomUUID().toString().replace("-", ""));
      spans.add(Otlp.span(ids.get(i), String.format("%016x", i + 1), null, "op", start + i, 1_000_000, Map.of()));
    }
    new Otlp(server.port()).send(Otlp.traces(Otlp.resource("many", many), spans));
    String reader = TestIdpResource.idp().token("dave", List.of(many));
    Eventually.within(Duration.ofSeconds(5), "six traces stored", () -> v3TraceIds(given().auth().oauth2(reader)
        .queryParam("query.service_name", "many").queryParam("query.num_traces", "20").get("/jaeger/api/v3/traces"))
        .size() == 6);
    Set<String> limited = v3TraceIds(given().auth().oauth2(reader).queryParam("query.service_name", "many")
        .queryParam("query.num_traces", "5").get("/jaeger/api/v3/traces").then().statusCode(200).extract().response());
    assertThat(limited).hasSize(5).isSubsetOf(ids);
  }

  /** The distinct trace ids of a v3 answer, whose spans come grouped by resource and scope. */
  @SuppressWarnings("unchecked")
  private static Set<String> v3TraceIds(Response response) {
    Set<String> ids = new java.util.HashSet<>();
    List<Map<String, Object>> resources = response.jsonPath().getList("result.resourceSpans");
    for (Map<String, Object> resource : resources == null ? List.<Map<String, Object>>of() : resources) {
      for (Map<String, Object> scope : (List<Map<String, Object>>) resource.get("scopeSpans")) {
        for (Map<String, Object> span : (List<Map<String, Object>>) scope.get("spans")) {
          ids.add((String) span.get("traceId"));
        }
      }
    }
    return ids;
  }

  /**
   * Jaeger UI (since 2.19) searches only through {@code /api/v3/trace-summaries}, with the parameter
   * names Jaeger's v3 API now takes first ({@code query.serviceName}, ISO instants ...).
   */
  @Test
  void v3SummarisesTheTracesASearchFindsWithJaegersCamelCaseNames() {
    String orphanTrace = UUID.randomUUID().toString().replace("-", "");
    new Otlp(server.port()).send(Otlp.traces(Otlp.resource(service, project), List.of(Otlp.span(orphanTrace,
        "00000000000000b1", "00000000000000aa", "late consumer", start + 5_000_000, 1_000_000, Map.of()))));
    Eventually.within(Duration.ofSeconds(5), "the orphan stored", () -> api().get("/jaeger/api/traces/" + orphanTrace)
        .statusCode() == 200);
    String from = java.time.Instant.ofEpochMilli(start / 1_000_000 - 60_000).toString();
    String to = java.time.Instant.ofEpochMilli(start / 1_000_000 + 60_000).toString();

    JsonPath summaries = api().queryParam("query.serviceName", service).queryParam("query.startTimeMin", from)
        .queryParam("query.startTimeMax", to).queryParam("query.searchDepth", "20")
        .get("/jaeger/api/v3/trace-summaries").then().statusCode(200).extract().jsonPath();
    assertThat(summaries.getList("summaries.traceId")).containsExactlyInAnyOrder(traceId, orphanTrace);
    int i = summaries.getList("summaries.traceId").indexOf(traceId);
    String s = "summaries[" + i + "].";
    assertThat(summaries.getString(s + "rootServiceName")).isEqualTo(service);
    assertThat(summaries.getString(s + "rootOperationName")).isEqualTo("GET /orders");
    assertThat(summaries.getString(s + "minStartTimeUnixNano")).isEqualTo(Long.toString(start));
    assertThat(summaries.getString(s + "maxEndTimeUnixNano")).isEqualTo(Long.toString(start + 3_000_000));
    assertThat(summaries.getInt(s + "spanCount")).isEqualTo(2);
    assertThat(summaries.getInt(s + "errorSpanCount")).isEqualTo(1);
    assertThat(summaries.getInt(s + "orphanSpanCount")).isZero();
    assertThat(summaries.getList(s + "services.name")).containsExactly(service);
    assertThat(summaries.getInt(s + "services[0].spanCount")).isEqualTo(2);
    assertThat(summaries.getInt(s + "services[0].errorSpanCount")).isEqualTo(1);
    String o = "summaries[" + (1 - i) + "].";
    assertThat(summaries.getInt(o + "orphanSpanCount")).as("its parent is not in the trace").isEqualTo(1);
    assertThat(summaries.getString(o + "rootOperationName")).as("no span without a parent").isNullOrEmpty();

    // the camelCase names filter (a name not read would find both traces)
    assertThat(api().queryParam("query.serviceName", service).queryParam("query.attributes", "{\"db.system\":\"postgresql\"}")
        .queryParam("query.durationMin", "500us").get("/jaeger/api/v3/trace-summaries").then().statusCode(200)
        .extract().jsonPath().getList("summaries.traceId")).containsExactly(traceId);
    assertThat(api().queryParam("query.serviceName", service).queryParam("query.operationName", "late consumer")
        .get("/jaeger/api/v3/traces").then().statusCode(200).extract().jsonPath()
        .getList("result.resourceSpans[0].scopeSpans[0].spans.traceId")).containsOnly(orphanTrace);
    assertThat(api().queryParam("query.serviceName", service).queryParam("query.durationMax", "100us")
        .get("/jaeger/api/v3/trace-summaries").jsonPath().getList("summaries")).isEmpty();
    assertThat(api().queryParam("query.serviceName", service).queryParam("query.startTimeMax", from)
        .get("/jaeger/api/v3/trace-summaries").jsonPath().getList("summaries")).as("before both").isEmpty();
    assertThat(api().queryParam("query.serviceName", service).queryParam("query.searchDepth", "1")
        .get("/jaeger/api/v3/trace-summaries").jsonPath().getList("summaries")).hasSize(1);
    assertThat(api().queryParam("service", service).queryParam("spanKind", "client").get("/jaeger/api/v3/operations")
        .jsonPath().getList("operations.name")).containsExactly("SELECT orders");
    // another project's token summarises nothing of these
    assertThat(given().auth().oauth2(TestIdpResource.idp().token("mallory", List.of("j-other-" + UUID.randomUUID())))
        .queryParam("query.serviceName", service).get("/jaeger/api/v3/trace-summaries").then().statusCode(200)
        .extract().jsonPath().getList("summaries")).isEmpty();
  }

  @Test
  void v1TraceByIdUsesTheJaegerModel() {
    JsonPath trace = api().get("/jaeger/api/traces/" + traceId.replaceFirst("^0+", "")).then().statusCode(200)
        .extract().jsonPath();
    assertThat(trace.getString("data[0].traceID")).isEqualTo(traceId);
    assertThat(trace.getList("data[0].spans.spanID")).containsExactly("00000000000000f1", "00000000000000f2");
    assertThat(trace.getLong("data[0].spans[0].startTime")).isEqualTo(start / 1000);
    assertThat(trace.getLong("data[0].spans[0].duration")).isEqualTo(3000);
    assertThat(trace.getString("data[0].spans[1].references[0].refType")).isEqualTo("CHILD_OF");
    assertThat(trace.getString("data[0].spans[1].references[0].spanID")).isEqualTo("00000000000000f1");
    assertThat(trace.getString("data[0].spans[1].references[1].refType")).as("an OTLP link").isEqualTo("FOLLOWS_FROM");
    assertThat(trace.getString("data[0].spans[1].references[1].traceID")).isEqualTo(LINKED_TRACE);
    assertThat(trace.getString("data[0].spans[1].references[1].spanID")).isEqualTo(LINKED_SPAN);
    assertThat(trace.getString("data[0].spans[1].processID")).isEqualTo("p1");
    assertThat(trace.getString("data[0].processes.p1.serviceName")).isEqualTo(service);
    assertThat(trace.getList("data[0].spans[1].tags.key")).contains("db.system", "span.kind", "error");
    assertThat(trace.getString("data[0].spans[1].logs[0].fields[0].value")).isEqualTo("retry");
  }

  @Test
  void v1ErrorsUseTheEnvelope() {
    JsonPath missing = api().get("/jaeger/api/traces/" + "f".repeat(32)).then().statusCode(404).extract().jsonPath();
    assertThat(missing.getInt("errors[0].code")).isEqualTo(404);
    JsonPath bad = api().get("/jaeger/api/traces").then().statusCode(400).extract().jsonPath();
    assertThat(bad.getString("errors[0].msg")).contains("'service' is required");
    assertThat(api().queryParam("service", service).queryParam("start", "yesterday").get("/jaeger/api/traces")
        .then().statusCode(400).extract().jsonPath().getString("errors[0].msg")).contains("start must be");
  }

  /**
   * Jaeger UI's System Architecture and Grafana's service graph: a span of another service than its
   * parent's is a call, counted per pair of services, in the lookback before endTs (milliseconds).
   * Calls within one service, a span whose parent was never stored, and spans of another project,
   * even in the same trace, count none; the other project sees its own graph only.
   */
  @Test
  void theServiceGraphCountsCallsBetweenServicesOfTheCallersProjects() {
    Otlp otlp = new Otlp(server.port());
    String other = "j-other-" + UUID.randomUUID();
    long now = System.currentTimeMillis() * 1_000_000L;
    long twoHoursAgo = now - Duration.ofHours(2).toNanos();
    List<Span> web = new ArrayList<>();
    List<Span> api = new ArrayList<>();
    List<Span> db = new ArrayList<>();
    for (int call = 1; call <= 3; call++) {
      String trace = String.format("%032x", 0xd0000 + call);
      web.add(Otlp.span(trace, "00000000000000a1", null, "GET /", now - 5_000_000, 4_000_000, Map.of()));
      api.add(Otlp.span(trace, "00000000000000b1", "00000000000000a1", "GET /api", now - 4_000_000, 2_000_000, Map.of()));
      // a call within the service: none between services
      api.add(Otlp.span(trace, "00000000000000b2", "00000000000000b1", "validate", now - 3_900_000, 100_000, Map.of()));
    }
    String dbTrace = String.format("%032x", 0xd0001);
    db.add(Otlp.span(dbTrace, "00000000000000c1", "00000000000000b1", "SELECT", now - 3_000_000, 500_000, Map.of()));
    // its parent never arrived
    db.add(Otlp.span(dbTrace, "00000000000000c2", "00000000000000ff", "SELECT", now - 2_000_000, 500_000, Map.of()));
    // two hours ago: past a lookback of one hour
    String oldTrace = String.format("%032x", 0xd0009);
    web.add(Otlp.span(oldTrace, "00000000000000a9", null, "GET /", twoHoursAgo, 4_000_000, Map.of()));
    db.add(Otlp.span(oldTrace, "00000000000000c9", "00000000000000a9", "SELECT", twoHoursAgo + 1_000_000, 500_000, Map.of()));
    String graphProject = "j-graph-" + UUID.randomUUID();
    otlp.send(Otlp.traces(Otlp.resource("web", graphProject), web));
    otlp.send(Otlp.traces(Otlp.resource("api", graphProject), api));
    otlp.send(Otlp.traces(Otlp.resource("db", graphProject), db));
    // another project's span under one of this project's, in the same trace, and its own call
    String otherTrace = String.format("%032x", 0xd0002);
    otlp.send(Otlp.traces(Otlp.resource("intruder", other), List.of(
        Otlp.span(otherTrace.replace("d0002", "d0001"), "00000000000000e1", "00000000000000b1", "peek", now - 3_500_000,
            100_000, Map.of()),
        Otlp.span(otherTrace, "00000000000000e2", null, "own", now - 3_500_000, 100_000, Map.of()))));
    otlp.send(Otlp.traces(Otlp.resource("other-child", other), List.of(
        Otlp.span(otherTrace, "00000000000000e3", "00000000000000e2", "own call", now - 3_400_000, 100_000, Map.of()))));
    String erin = TestIdpResource.idp().token("erin", List.of(graphProject));
    // a new request each time: a RequestSpecification keeps the parameters given to it
    java.util.function.Supplier<RequestSpecification> reader = () -> given().auth().oauth2(erin);
    String endTs = Long.toString(now / 1_000_000 + 1_000);
    Eventually.within(Duration.ofSeconds(5), "the spans stored", () -> reader.get().queryParam("service", "db")
        .queryParam("lookback", "3h").get("/jaeger/api/traces").jsonPath().getList("data").size() == 2);

    JsonPath graph = reader.get().queryParam("endTs", endTs).queryParam("lookback", "3600000")
        .get("/jaeger/api/dependencies").then().statusCode(200).extract().jsonPath();
    assertThat(graph.getList("data")).containsExactly(
        Map.of("parent", "web", "child", "api", "callCount", 3),
        Map.of("parent", "api", "child", "db", "callCount", 1));
    assertThat(graph.getInt("total")).isEqualTo(2);
    assertThat((Object) graph.get("errors")).isNull();
    assertThat((Object) graph.get("partial")).as("a whole graph says nothing of it").isNull();

    JsonPath longer = reader.get().queryParam("endTs", endTs).queryParam("lookback", Long.toString(Duration.ofHours(3).toMillis()))
        .get("/jaeger/api/dependencies").then().statusCode(200).extract().jsonPath();
    assertThat(longer.getList("data")).contains(Map.of("parent", "web", "child", "db", "callCount", 1));
    JsonPath ofDb = reader.get().queryParam("endTs", endTs).queryParam("lookback", "3600000").queryParam("service", "db")
        .get("/jaeger/api/dependencies").then().statusCode(200).extract().jsonPath();
    assertThat(ofDb.getList("data")).containsExactly(Map.of("parent", "api", "child", "db", "callCount", 1));
    // at the earliest time a range can have: nothing there, and no failure
    assertThat(reader.get().queryParam("endTs", "-9223372036854").get("/jaeger/api/dependencies").then().statusCode(200)
        .extract().jsonPath().getList("data")).isEmpty();
    // Jaeger's defaults: now, and a day before it
    assertThat(reader.get().get("/jaeger/api/dependencies").then().statusCode(200).extract().jsonPath().getList("data"))
        .hasSize(3);

    JsonPath theirs = given().auth().oauth2(TestIdpResource.idp().token("mallory", List.of(other)))
        .queryParam("endTs", endTs).queryParam("lookback", "3600000").get("/jaeger/api/dependencies")
        .then().statusCode(200).extract().jsonPath();
    assertThat(theirs.getList("data")).as("a parent of another project is not seen")
        .containsExactly(Map.of("parent", "intruder", "child", "other-child", "callCount", 1));
  }

  /**
   * A span of another project under one of the caller's is no call, also for a caller who reads both
   * projects: an integration that learnt a trace id can send spans into it, which would draw a call
   * its project never received.
   */
  @Test
  void aSpanUnderAnotherProjectsParentIsNoCallEvenToAReaderOfBoth() {
    Otlp otlp = new Otlp(server.port());
    String shop = "j-shop-" + UUID.randomUUID();
    String other = "j-other-" + UUID.randomUUID();
    long now = System.currentTimeMillis() * 1_000_000L;
    String trace = "00000000" + UUID.randomUUID().toString().replace("-", "").substring(8);
    otlp.send(Otlp.traces(Otlp.resource("shop-web", shop), List.of(
        Otlp.span(trace, "00000000000000a1", null, "GET /", now - 5_000_000, 4_000_000, Map.of()))));
    otlp.send(Otlp.traces(Otlp.resource("shop-api", shop), List.of(
        Otlp.span(trace, "00000000000000b1", "00000000000000a1", "GET /api", now - 4_000_000, 1_000_000, Map.of()))));
    otlp.send(Otlp.traces(Otlp.resource("other-svc", other), List.of(
        Otlp.span(trace, "00000000000000c1", "00000000000000a1", "peek", now - 3_000_000, 1_000_000, Map.of()))));
    String both = TestIdpResource.idp().token("reader-of-both", List.of(shop, other));
    Eventually.within(Duration.ofSeconds(5), "the spans stored", () -> {
      Response stored = given().auth().oauth2(both).get("/jaeger/api/traces/" + trace);
      return stored.statusCode() == 200 && stored.jsonPath().getList("data[0].spans").size() == 3;
    });

    JsonPath graph = given().auth().oauth2(both).queryParam("lookback", "3600000")
        .get("/jaeger/api/dependencies").then().statusCode(200).extract().jsonPath();
    assertThat(graph.getList("data")).as("calls within each project only")
        .containsExactly(Map.of("parent", "shop-web", "child", "shop-api", "callCount", 1));
  }

  @Test
  void badParametersAreFourHundredsThatNameThem() {
    record Case(String path, Map<String, Object> params, String message) {}
    StringBuilder manyTags = new StringBuilder("{");
    for (int i = 0; i < 1100; i++) {
      manyTags.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
    }
    manyTags.append('}');
    List<Case> cases = List.of(
        new Case("/jaeger/api/traces", Map.of("service", service, "tags", manyTags.toString()),
            "tags and tag together name at most 64 conditions, got 1100"),
        new Case("/jaeger/api/traces", Map.of("service", service, "tags", "null"), "tags must be a JSON object"),
        // a value that is no text was searched for as the text "null" or "{a=1}"
        new Case("/jaeger/api/traces", Map.of("service", service, "tags", "{\"k\":null}"), "tags must be a JSON object of strings"),
        new Case("/jaeger/api/traces", Map.of("service", service, "tags", "{\"k\":{\"a\":1}}"), "tags must be a JSON object of strings"),
        new Case("/jaeger/api/traces", Map.of("service", service, "tags", "{\"k\":[\"a\"]}"), "tags must be a JSON object of strings"),
        new Case("/jaeger/api/traces", Map.of("service", service, "lookback", "PT3000000H"), "lookback must be a duration"),
        new Case("/jaeger/api/traces", Map.of("service", service, "start", "-9223372036854775", "end", "9223372036854775"),
            "must not be longer than 31 days"),
        new Case("/jaeger/api/traces", Map.of("service", service, "limit", "x"), "limit must be an integer"),
        new Case("/jaeger/api/traces", Map.of("service", service, "minDuration", "2s", "maxDuration", "1s"),
            "minDuration must not be greater than maxDuration"),
        new Case("/jaeger/api/traces", Map.of("traceID", "xyz"), "traceID must be 32 hex characters"),
        new Case("/jaeger/api/v3/traces", Map.of("query.service_name", service, "query.attributes", "[1]"),
            "query.attributes must be a JSON object"),
        new Case("/jaeger/api/v3/traces", Map.of("query.service_name", service, "query.num_traces", "many"),
            "query.num_traces must be an integer"),
        new Case("/jaeger/api/v3/traces", Map.of("query.service_name", service, "query.search_depth", "x"),
            "query.search_depth must be an integer"),
        new Case("/jaeger/api/v3/traces", Map.of("query.service_name", service, "query.search_depth", "-1"),
            "query.search_depth must be between"),
        new Case("/jaeger/api/v3/traces", Map.of("query.service_name", service, "query.duration_min", "PT3000000H"),
            "query.duration_min must be a duration"),
        new Case("/jaeger/api/v3/traces", Map.of("query.service_name", service, "query.duration_min", "2s",
            "query.duration_max", "1s"), "query.duration_min must not be greater than query.duration_max"),
        new Case("/jaeger/api/dependencies", Map.of("endTs", "yesterday"), "endTs must be a whole number of milliseconds"),
        new Case("/jaeger/api/dependencies", Map.of("endTs", "9223372036854775807"), "endTs is out of range"),
        new Case("/jaeger/api/dependencies", Map.of("lookback", "1h"), "lookback must be a whole number of milliseconds"),
        new Case("/jaeger/api/dependencies", Map.of("lookback", "0"), "lookback must be a positive number"),
        new Case("/jaeger/api/dependencies", Map.of("lookback", "9223372036854775807"),
            "lookback must not be longer than 31 days"));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      Response response = api().queryParams(c.params()).get(c.path());
      if (response.statusCode() != 400 || !response.asString().contains(c.message())) {
        failures.add(c.path() + " " + c.params() + " -> " + response.statusCode() + " " + response.asString());
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void v3ServicesOperationsAndTraceAsOtlpJson() {
    assertThat(api().get("/jaeger/api/v3/services").jsonPath().getList("services")).containsExactly(service);
    assertThat(api().queryParam("service", service).get("/jaeger/api/v3/operations").jsonPath()
        .getList("operations.name")).containsExactlyInAnyOrder("GET /orders", "SELECT orders");
    JsonPath trace = api().get("/jaeger/api/v3/traces/" + traceId).then().statusCode(200).extract().jsonPath();
    assertThat(trace.getList("result.resourceSpans[0].scopeSpans[0].spans.spanId"))
        .containsExactly("00000000000000f1", "00000000000000f2");
    assertThat(trace.getString("result.resourceSpans[0].scopeSpans[0].spans[0].traceId")).isEqualTo(traceId);
    assertThat(trace.getString("result.resourceSpans[0].scopeSpans[0].spans[1].links[0].traceId")).isEqualTo(LINKED_TRACE);
    assertThat(trace.getString("result.resourceSpans[0].scopeSpans[0].spans[1].links[0].spanId")).isEqualTo(LINKED_SPAN);
    assertThat(trace.getString("result.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano"))
        .isEqualTo(Long.toString(start));
    // OTLP/JSON writes enums as integers, which Grafana's v3 client decodes into numbers
    assertThat((Object) trace.get("result.resourceSpans[0].scopeSpans[0].spans[1].kind")).isEqualTo(3);
    assertThat((Object) trace.get("result.resourceSpans[0].scopeSpans[0].spans[1].status.code")).isEqualTo(2);
    JsonPath search = api().queryParam("query.service_name", service).get("/jaeger/api/v3/traces").jsonPath();
    assertThat(search.getList("result.resourceSpans[0].scopeSpans[0].spans")).hasSize(2);
    JsonPath missing = api().get("/jaeger/api/v3/traces/" + "e".repeat(32)).then().statusCode(404).extract()
        .jsonPath();
    assertThat(missing.getInt("error.httpCode")).isEqualTo(404);
  }
}
