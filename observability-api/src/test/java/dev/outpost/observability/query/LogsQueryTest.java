package dev.outpost.observability.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
class LogsQueryTest {

  @Inject OtlpServer server;

  private Otlp otlp;
  private String project;
  private String token;
  private long base;

  @BeforeEach
  void setUp() {
    otlp = new Otlp(server.port());
    project = "q-" + UUID.randomUUID();
    token = TestIdpResource.idp().token("alice", List.of(project));
    base = (System.currentTimeMillis() - 600_000) * 1_000_000L;
  }

  /** An hour before the test's records, in epoch milliseconds. */
  private String since() {
    return Long.toString(base / 1_000_000 - 3_600_000);
  }

  private Response get(String path, Map<String, ?> params) {
    return given().auth().oauth2(token).queryParams(params).get(path);
  }

  private void ingest(int count, String body, long startNanos, long stepNanos) {
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      records.add(Otlp.log(startNanos + i * stepNanos, body + " n" + i, Map.of("n", Integer.toString(i))));
    }
    otlp.send(Otlp.logs(Otlp.resource("pager", project), records));
  }

  /**
   * A cursor tells nothing and continues only its own listing: sealed (the journal sequence number it
   * holds counts every project's records, so in plain text it told how much the others send), bound to
   * its first page's range (followed without from and to it keeps that range, rather than "the last
   * hour" from a new now, which skipped the oldest records) and to its query.
   */
  @Test
  void aCursorIsSealedAndContinuesOnlyItsOwnListing() {
    ingest(6, "sealed", base, 1_000_000_000L);
    // n1..n4 of n0..n5, one a second
    String from = Long.toString(base / 1_000_000 + 500);
    String to = Long.toString(base / 1_000_000 + 4_500);
    Eventually.within(Duration.ofSeconds(5), "6 records",
        () -> get("/api/v1/logs", Map.of("q", "sealed", "from", since())).jsonPath().getList("records").size() == 6);

    Map<String, Object> first = Map.of("q", "sealed", "limit", 2, "from", from, "to", to);
    String cursor = get("/api/v1/logs", first).then().statusCode(200).extract().jsonPath().getString("nextCursor");
    assertThat(get("/api/v1/logs", first).jsonPath().getString("nextCursor")).as("sealed with a fresh nonce").isNotEqualTo(cursor);
    String opened = new String(java.util.Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.ISO_8859_1);
    // random bytes, not "<time>:<seq>" (a byte of them may be a colon or a digit, never a run of digits)
    assertThat(opened).doesNotContainPattern("[0-9]{6,}").doesNotMatch("[0-9]+:[0-9]+");

    // after n4 and n3: n2 and n1, never n0 (outside from), whether from and to are given again or left out
    assertThat(get("/api/v1/logs", Map.of("q", "sealed", "limit", 3, "cursor", cursor)).then().statusCode(200)
        .extract().jsonPath().getList("records.attributes.n", String.class)).containsExactly("2", "1");
    assertThat(get("/api/v1/logs", Map.of("q", "sealed", "limit", 3, "from", from, "to", to, "cursor", cursor))
        .then().statusCode(200).extract().jsonPath().getList("records.attributes.n", String.class)).containsExactly("2", "1");

    for (Map<String, Object> other : List.<Map<String, Object>>of(
        Map.of("q", "sealed", "to", Long.toString(Long.parseLong(to) + 1), "cursor", cursor),
        Map.of("q", "sealed", "from", Long.toString(Long.parseLong(from) + 1), "to", to, "cursor", cursor),
        Map.of("q", "sealed OR page", "cursor", cursor),
        Map.of("q", "sealed", "severity", "WARN", "cursor", cursor))) {
      get("/api/v1/logs", other).then().statusCode(400)
          .body("message", org.hamcrest.Matchers.containsString("cursor continues another listing"));
    }
    // a from or to that turns the listing's range around is the client's mistake, not the server's
    get("/api/v1/logs", Map.of("q", "sealed", "cursor", cursor, "from", Long.toString(Long.parseLong(to) + 60_000)))
        .then().statusCode(400).body("message", org.hamcrest.Matchers.containsString("from must be before to"));
    // one byte of the sealed text changed (a base64 character's unused bits would change nothing)
    byte[] sealed = java.util.Base64.getUrlDecoder().decode(cursor);
    sealed[sealed.length / 2] ^= 1;
    String altered = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);
    get("/api/v1/logs", Map.of("q", "sealed", "cursor", altered)).then().statusCode(400)
        .body("message", org.hamcrest.Matchers.containsString("cursor is not one this API returned"));
  }

  /**
   * A range relative to the server's now ({@code lookback}, as Jaeger's API has): the explorer sent
   * from and to by the browser's clock, so a laptop five minutes slow never saw the newest five
   * minutes, and one an hour fast got "from must be before to".
   */
  @Test
  void aLookbackIsARangeEndingAtTheServersNow() {
    long now = System.currentTimeMillis() * 1_000_000L;
    ingest(1, "lookback old", now - 20 * 60_000_000_000L, 1);
    ingest(1, "lookback new", now - 5_000_000_000L, 1);
    Eventually.within(Duration.ofSeconds(5), "2 records",
        () -> get("/api/v1/logs", Map.of("q", "lookback", "from", since())).jsonPath().getList("records").size() == 2);

    JsonPath page = get("/api/v1/logs", Map.of("q", "lookback", "lookback", "15m")).then().statusCode(200).extract()
        .jsonPath();
    assertThat(page.getList("records.body", String.class)).containsExactly("lookback new n0");
    // the range it listed, for a histogram of the same records
    java.time.Instant listedFrom = java.time.Instant.parse(page.getString("from"));
    assertThat(Duration.between(listedFrom, java.time.Instant.parse(page.getString("to"))))
        .isEqualTo(Duration.ofMinutes(15));
    assertThat(get("/api/v1/logs/histogram", Map.of("q", "lookback", "from", page.getString("from"), "to",
        page.getString("to"))).jsonPath().getLong("total")).isEqualTo(1);
    assertThat(get("/api/v1/logs", Map.of("q", "lookback", "lookback", "PT30M")).jsonPath().getList("records"))
        .hasSize(2);
    assertThat(get("/api/v1/logs/histogram", Map.of("q", "lookback", "lookback", "900000ms")).then().statusCode(200)
        .extract().jsonPath().getLong("total")).isEqualTo(1);

    // the cursor keeps its first page's range: the lookback sent again with it does not move it
    String cursor = get("/api/v1/logs", Map.of("q", "lookback", "lookback", "30m", "limit", 1)).jsonPath()
        .getString("nextCursor");
    assertThat(get("/api/v1/logs", Map.of("q", "lookback", "lookback", "30m", "limit", 1, "cursor", cursor))
        .then().statusCode(200).extract().jsonPath().getList("records.body", String.class))
        .containsExactly("lookback old n0");

    get("/api/v1/logs", Map.of("q", "lookback", "lookback", "15m", "from", since())).then().statusCode(400)
        .body("message", org.hamcrest.Matchers.containsString("from or lookback"));
    get("/api/v1/logs", Map.of("q", "lookback", "lookback", "0")).then().statusCode(400)
        .body("message", org.hamcrest.Matchers.containsString("lookback must be positive"));
    get("/api/v1/logs/histogram", Map.of("lookback", "soon")).then().statusCode(400)
        .body("message", org.hamcrest.Matchers.containsString("lookback"));
  }

  @Test
  void cursorPagesAreNewestFirstAndStableUnderConcurrentIngest() throws Exception {
    ingest(25, "page", base, 1_000_000_000L);
    Eventually.within(Duration.ofSeconds(5), "25 records",
        () -> get("/api/v1/logs", Map.of("q", "page", "from", since())).jsonPath().getList("records").size() == 25);

    // records keep arriving, newer than every page's cursor: they must not shift later pages
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      while (!stop.get()) {
        otlp.send(Otlp.logs(Otlp.resource("pager", project),
            List.of(Otlp.log(System.currentTimeMillis() * 1_000_000L, "page late", Map.of("n", "late")))));
      }
    });
    writer.start();
    List<String> seen = new ArrayList<>();
    String cursor = null;
    try {
      Thread.sleep(300);
      do {
        JsonPath page = get("/api/v1/logs", cursor == null
            ? Map.of("q", "page", "limit", 10, "from", since())
            : Map.of("q", "page", "limit", 10, "from", since(), "cursor", cursor))
            .then().statusCode(200).extract().jsonPath();
        seen.addAll(page.getList("records.attributes.n"));
        cursor = page.getString("nextCursor");
        Thread.sleep(300); // let concurrent records become visible between pages
      } while (cursor != null);
    } finally {
      stop.set(true);
      writer.join();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 24; i >= 0; i--) {
      expected.add(Integer.toString(i));
    }
    List<String> original = seen.stream().filter(n -> !n.equals("late")).toList();
    assertThat(original).containsExactlyElementsOf(expected);
    int firstOriginal = seen.indexOf("24");
    assertThat(seen.subList(firstOriginal, seen.size())).doesNotContain("late");
  }

  @Test
  void filtersBySeverityIntegrationAndAttributes() {
    List<LogRecord> records = List.of(
        LogRecord.newBuilder(Otlp.log(base, "filter-a", Map.of("outpost.integration", "crm")))
            .setSeverityNumberValue(17).setSeverityText("ERROR").build(),
        Otlp.log(base + 1, "filter-b", Map.of("outpost.integration", "crm", "http.status_code", "500")),
        Otlp.log(base + 2, "filter-c", Map.of("outpost.integration", "erp")));
    otlp.send(Otlp.logs(Otlp.resource("svc", project), records));
    Eventually.within(Duration.ofSeconds(5), "3 records",
        () -> get("/api/v1/logs", Map.of("q", "filter*")).jsonPath().getList("records").size() == 3);

    assertThat(get("/api/v1/logs", Map.of("severity", "error")).jsonPath().getList("records.body"))
        .containsExactly("filter-a");
    assertThat(get("/api/v1/logs", Map.of("integration", "crm")).jsonPath().getList("records.body"))
        .containsExactly("filter-b", "filter-a");
    assertThat(get("/api/v1/logs", Map.of("q", "attr.http.status_code:500")).jsonPath().getList("records.body"))
        .containsExactly("filter-b");
    assertThat(get("/api/v1/logs", Map.of("q", "integration:erp OR severity:ERROR")).jsonPath()
        .getList("records.body")).containsExactly("filter-c", "filter-a");
    assertThat(get("/api/v1/services", Map.of()).jsonPath().getList("services")).containsExactly("svc");
  }

  /** An id pasted in upper case (as some tools print them) finds its records, as the trace endpoint finds its trace. */
  @Test
  void idsInTheQueryAreMatchedWhateverTheirCase() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e47" + String.format("%02x", (int) (base % 256));
    otlp.send(Otlp.logs(Otlp.resource("svc", project), List.of(LogRecord.newBuilder(Otlp.log(base, "by id", Map.of()))
        .setTraceId(com.google.protobuf.ByteString.fromHex(traceId))
        .setSpanId(com.google.protobuf.ByteString.fromHex("00f067aa0ba902b7")).build())));
    Eventually.within(Duration.ofSeconds(5), "the record",
        () -> get("/api/v1/logs", Map.of("q", "traceId:" + traceId)).jsonPath().getList("records").size() == 1);
    assertThat(get("/api/v1/logs", Map.of("q", "traceId:" + traceId.toUpperCase(java.util.Locale.ROOT)))
        .jsonPath().getList("records.body")).containsExactly("by id");
    assertThat(get("/api/v1/logs", Map.of("q", "spanId:00F067AA0BA902B7")).jsonPath().getList("records.body"))
        .containsExactly("by id");
    assertThat(get("/api/v1/logs", Map.of("q", "traceId:" + traceId.substring(0, 8).toUpperCase(java.util.Locale.ROOT) + "*"))
        .jsonPath().getList("records.body")).containsExactly("by id");
  }

  /**
   * "Everything but": a query of negations alone matches every record that lacks the words, as in
   * Elasticsearch's query_string, at the top and within parentheses. Lucene's parser alone matches
   * nothing, and the answer was an empty 200.
   */
  @Test
  void aQueryOfNegationsAloneMatchesEveryRecordWithoutTheWords() {
    ingest(2, "keep me", base, 1_000_000_000L);
    ingest(1, "drop me", base + 5_000_000_000L, 1_000_000_000L);
    Eventually.within(Duration.ofSeconds(5), "3 records",
        () -> get("/api/v1/logs", Map.of("q", "me", "from", since())).jsonPath().getList("records").size() == 3);

    for (String q : List.of("NOT drop", "-drop", "NOT drop NOT nothing", "me AND (NOT drop)", "body:(-drop)")) {
      assertThat(get("/api/v1/logs", Map.of("q", q, "from", since())).then().statusCode(200).extract().jsonPath()
          .getList("records.body", String.class)).as(q).containsExactly("keep me n1", "keep me n0");
    }
    assertThat(get("/api/v1/logs/histogram", Map.of("q", "NOT drop", "interval", "1h", "from", since()))
        .then().statusCode(200).extract().jsonPath().getLong("total")).isEqualTo(2);
  }

  /**
   * A boost weighs a clause in the score and never decides whether a record matches, as in Lucene:
   * {@code edg*^0} found nothing (a record was checked by its score, and a zero boost scores 0).
   */
  @Test
  void aBoostChangesNoMatchWhateverTheClause() {
    ingest(2, "edge old8d", base, 1_000_000_000L);
    Eventually.within(Duration.ofSeconds(5), "2 records",
        () -> get("/api/v1/logs", Map.of("q", "edge", "from", since())).jsonPath().getList("records").size() == 2);

    for (String q : List.of("edg*^0", "\"edge old8d\"^0", "service:[a TO z]^0", "(edg* OR zzz)^0", "edge^0",
        "edg*^0.5", "\"edge old8d\"^3", "edge AND old8*^0")) {
      assertThat(get("/api/v1/logs", Map.of("q", q, "from", since())).then().statusCode(200).extract().jsonPath()
          .getList("records.body", String.class)).as(q).containsExactly("edge old8d n1", "edge old8d n0");
      assertThat(get("/api/v1/logs/histogram", Map.of("q", q, "interval", "1h", "from", since()))
          .then().statusCode(200).extract().jsonPath().getLong("total")).as("histogram of %s", q).isEqualTo(2);
    }
  }

  @Test
  void recordsWithSeverityNumbersOutsideOtlpsRangeAreFoundAndCountedOnceAsUnspecified() {
    // OTLP allows any int32 on the wire: -1 and 99 are no severity, like 0, not lower or higher ones
    List<LogRecord> records = new ArrayList<>();
    for (int number : new int[] {-1, 0, 9, 99}) {
      records.add(LogRecord.newBuilder(Otlp.log(base + number + 10, "oddsev " + number, Map.of()))
          .setSeverityNumberValue(number).setSeverityText("").build());
    }
    otlp.send(Otlp.logs(Otlp.resource("svc", project), records));
    Eventually.within(Duration.ofSeconds(5), "the INFO record",
        () -> get("/api/v1/logs", Map.of("q", "oddsev", "from", since())).jsonPath().getList("records").size() > 0);

    assertThat(get("/api/v1/logs", Map.of("q", "oddsev", "from", since())).jsonPath().getList("records.body"))
        .containsExactly("oddsev 99", "oddsev 9", "oddsev 0", "oddsev -1");
    assertThat(get("/api/v1/logs", Map.of("q", "oddsev", "from", since(), "severity", "INFO")).jsonPath()
        .getList("records.body")).containsExactly("oddsev 9");
    assertThat(get("/api/v1/logs", Map.of("q", "oddsev", "from", since(), "severity", "FATAL")).jsonPath()
        .getList("records.body")).isEmpty();
    assertThat(get("/api/v1/logs/histogram", Map.of("from", since())).jsonPath().getLong("total")).isEqualTo(4);
  }

  @Test
  void aPageOfLargeRecordsEndsAtItsTextBudgetAndTheCursorBringsTheRest() {
    // 21 records of a million characters: a page of all of them is 21 MB in the heap and on the
    // wire; three such answers at once exhausted a 512 MiB heap (500s, OutOfMemoryError)
    String filler = "x".repeat(1_000_000);
    for (int request = 0; request < 7; request++) {
      List<LogRecord> records = new ArrayList<>();
      for (int i = request * 3; i < request * 3 + 3; i++) {
        records.add(Otlp.log(base + i, "bigpage n" + i + " " + filler, Map.of()));
      }
      otlp.send(Otlp.logs(Otlp.resource("svc", project), records));
    }
    Eventually.within(Duration.ofSeconds(5), "21 records", () -> get("/api/v1/logs/histogram",
        Map.of("from", since())).jsonPath().getLong("total") == 21);

    JsonPath first = get("/api/v1/logs", Map.of("q", "bigpage", "from", since(), "limit", 100))
        .then().statusCode(200).extract().jsonPath();
    assertThat(first.getList("records")).hasSizeBetween(1, 16);
    assertThat(first.getString("nextCursor")).isNotNull();

    List<String> seen = new ArrayList<>();
    JsonPath page = first;
    while (true) {
      for (String body : page.<String>getList("records.body")) {
        seen.add(body.substring(0, body.indexOf(' ', "bigpage ".length())));
      }
      String cursor = page.getString("nextCursor");
      if (cursor == null) {
        break;
      }
      page = get("/api/v1/logs", Map.of("q", "bigpage", "from", since(), "limit", 100, "cursor", cursor))
          .then().statusCode(200).extract().jsonPath();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 20; i >= 0; i--) {
      expected.add("bigpage n" + i);
    }
    assertThat(seen).containsExactlyElementsOf(expected);
  }

  /**
   * A span delivered twice (an exporter retrying an export whose answer it missed: OTLP delivery is
   * at least once) is shown once, in the trace and in its summary's span count; a span of the same
   * id with other content is bad data and kept.
   */
  @Test
  void aSpanDeliveredTwiceIsShownOnce() {
    String traceId = UUID.randomUUID().toString().replace("-", "");
    var root = Otlp.span(traceId, "00000000000000a1", null, "twice root", base, 5_000_000, Map.of());
    var child = Otlp.span(traceId, "00000000000000a2", "00000000000000a1", "twice child", base + 1, 1_000_000, Map.of());
    otlp.send(Otlp.traces(Otlp.resource("twice", project), List.of(root, child)));
    otlp.send(Otlp.traces(Otlp.resource("twice", project), List.of(root, child)));
    var odd = Otlp.span(traceId, "00000000000000a2", "00000000000000a1", "same id, other span", base + 2, 1_000_000, Map.of());
    otlp.send(Otlp.traces(Otlp.resource("twice", project), List.of(odd)));
    Eventually.within(Duration.ofSeconds(5), "the third send stored", () -> get("/api/v1/traces",
        Map.of("service", "twice", "operation", "same id, other span")).jsonPath().getList("traces").size() == 1);

    JsonPath trace = get("/api/v1/traces/" + traceId, Map.of()).then().statusCode(200).extract().jsonPath();
    assertThat(trace.getList("spans.name", String.class)).containsExactly("twice root", "twice child", "same id, other span");
    assertThat(trace.getBoolean("partial")).isFalse();
    assertThat(get("/api/v1/traces", Map.of("service", "twice")).jsonPath().getInt("traces[0].spanCount")).isEqualTo(3);
  }

  @Test
  void aTraceLargerThanThePageBudgetKeepsItsRootAndEarliestSpans() {
    // 21 spans of a million characters each: fourteen views of a 100 MB trace at once exhausted a
    // 512 MiB heap (500s, OutOfMemoryError)
    String traceId = UUID.randomUUID().toString().replace("-", "");
    String filler = "x".repeat(1_000_000);
    for (int request = 0; request < 7; request++) {
      List<io.opentelemetry.proto.trace.v1.Span> spans = new ArrayList<>();
      for (int i = request * 3; i < request * 3 + 3; i++) {
        spans.add(Otlp.span(traceId, String.format("%016x", i + 1), i == 0 ? null : "0000000000000001", "step " + i,
            base + i, 1, Map.of("payload", filler)));
      }
      otlp.send(Otlp.traces(Otlp.resource("batch", project), spans));
    }
    Eventually.within(Duration.ofSeconds(5), "the last span", () -> get("/api/v1/traces",
        Map.of("service", "batch", "operation", "step 20")).jsonPath().getList("traces").size() == 1);

    JsonPath trace = get("/api/v1/traces/" + traceId, Map.of()).then().statusCode(200).extract().jsonPath();
    List<String> names = trace.getList("spans.name");
    assertThat(names).hasSizeBetween(1, 16);
    assertThat(trace.getBoolean("partial")).as("a trace cut short says so").isTrue();
    assertThat(names.get(0)).isEqualTo("step 0");
    assertThat(trace.getInt("spans[0].depth")).isZero();
    for (int i = 1; i < names.size(); i++) {
      assertThat(names.get(i)).isEqualTo("step " + i);
    }
    assertThat(get("/jaeger/api/traces/" + traceId, Map.of()).then().statusCode(200).extract().jsonPath()
        .getList("data[0].warnings", String.class)).singleElement().asString().contains("only the earliest spans");
    // listed by a search, as Jaeger UI's search page shows it, the cut trace says so too
    JsonPath searched = get("/jaeger/api/traces", Map.of("service", "batch")).then().statusCode(200).extract().jsonPath();
    assertThat(searched.getList("data.traceID")).containsExactly(traceId);
    assertThat(searched.getList("data[0].warnings", String.class)).singleElement().asString().contains("only the earliest spans");
  }

  @Test
  void aTraceSearchHoldsThePageBudgetInAllWhateverItsLimit() {
    // 30 traces of one 1 MB span, of which 16 MiB holds 16 or 17: a search for 100 traces of 16 MiB
    // each held 1.6 GB at once
    String filler = "y".repeat(1_000_000);
    List<String> newestFirst = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String traceId = UUID.randomUUID().toString().replace("-", "");
      newestFirst.add(0, traceId);
      otlp.send(Otlp.traces(Otlp.resource("bulky", project), List.of(
          Otlp.span(traceId, "0000000000000001", null, "load", base + i * 1_000_000L, 1, Map.of("payload", filler)))));
    }
    // the last one acknowledged is searchable only once every earlier one is
    Eventually.within(Duration.ofSeconds(5), "the newest trace",
        () -> get("/api/v1/traces/" + newestFirst.get(0), Map.of()).statusCode() == 200);

    JsonPath found = get("/api/v1/traces", Map.of("service", "bulky", "limit", 30, "from", since()))
        .then().statusCode(200).extract().jsonPath();
    List<String> listed = found.getList("traces.traceId");
    assertThat(listed).hasSizeBetween(1, 17).containsExactlyElementsOf(newestFirst.subList(0, listed.size()));
    assertThat(found.getBoolean("partial")).isTrue();

    List<String> jaeger = get("/jaeger/api/traces", Map.of("service", "bulky", "limit", 30)).then().statusCode(200)
        .extract().jsonPath().getList("data.traceID");
    assertThat(jaeger).hasSizeBetween(1, 17).containsExactlyElementsOf(newestFirst.subList(0, jaeger.size()));

    JsonPath few = get("/api/v1/traces", Map.of("service", "bulky", "limit", 3, "from", since()))
        .then().statusCode(200).extract().jsonPath();
    assertThat(few.getList("traces.traceId")).containsExactlyElementsOf(newestFirst.subList(0, 3));
    assertThat(few.getBoolean("partial")).isFalse();
  }

  @Test
  void histogramCountsPerInterval() {
    long start = (base / 60_000_000_000L) * 60_000_000_000L;
    ingest(3, "histo", start, 1_000_000_000L);
    ingest(2, "histo", start + 120_000_000_000L, 1_000_000_000L);
    Eventually.within(Duration.ofSeconds(5), "5 records",
        () -> get("/api/v1/logs", Map.of("q", "histo", "from", since())).jsonPath().getList("records").size() == 5);
    JsonPath histogram = get("/api/v1/logs/histogram", Map.of("q", "histo", "interval", "1m",
        "from", Long.toString(start / 1_000_000), "to", Long.toString(start / 1_000_000 + 180_000)))
        .then().statusCode(200).extract().jsonPath();
    assertThat(histogram.getList("buckets.count")).containsExactly(3, 0, 2);
    assertThat(histogram.getLong("total")).isEqualTo(5);
    assertThat(histogram.getString("interval")).isEqualTo("PT1M");
  }

  @Test
  void badQueriesAreClearFourHundredsNeverFiveHundreds() {
    record Case(String path, Map<String, Object> params, String message) {}
    StringBuilder manyClauses = new StringBuilder("a");
    for (int i = 0; i < 300; i++) {
      manyClauses.append(" OR w").append(i);
    }
    List<Case> cases = List.of(
        new Case("/api/v1/logs", Map.of("q", "body:(unclosed"), "not valid Lucene syntax"),
        new Case("/api/v1/logs", Map.of("q", "nosuch:field"), "unknown field"),
        new Case("/api/v1/logs", Map.of("q", "*leading"), "not valid Lucene syntax"),
        new Case("/api/v1/logs", Map.of("q", manyClauses.toString()), "clauses"),
        new Case("/api/v1/logs", Map.of("limit", 0), "limit must be between 1 and 1000"),
        new Case("/api/v1/logs", Map.of("limit", 1_000_000), "limit must be between 1 and 1000"),
        new Case("/api/v1/logs", Map.of("from", "yesterday"), "from must be an RFC 3339 time"),
        new Case("/api/v1/logs", Map.of("from", "2026-01-02T00:00:00Z", "to", "2026-01-01T00:00:00Z"),
            "from must be before to"),
        new Case("/api/v1/logs", Map.of("from", "0"), "looks like epoch seconds"),
        // read as milliseconds, a few seconds of January 1970, answered with nothing
        new Case("/api/v1/logs", Map.of("from", "1700000000", "to", "1700003600"), "to 1700003600 looks like epoch seconds"),
        new Case("/api/v1/logs", Map.of("severity", "LOUD"), "severity must be one of"),
        new Case("/api/v1/logs", Map.of("cursor", "bm90LWEtY3Vyc29y"), "cursor"),
        new Case("/api/v1/logs/histogram", Map.of("interval", "1ms"), "buckets"),
        new Case("/api/v1/logs/histogram", Map.of("interval", "soon"), "interval must be a duration"),
        new Case("/api/v1/traces/not-a-trace-id", Map.of(), "traceId must be 32 hex"),
        new Case("/api/v1/traces", Map.of("minDuration", "abc"), "minDuration must be a duration"),
        new Case("/api/v1/traces", Map.of("limit", 1000), "limit must be between 1 and 100"),
        new Case("/api/v1/traces", Map.of("q", "name:[a TO"), "not valid Lucene syntax"),
        // numbers and times that overflow, or are not numbers at all
        new Case("/api/v1/logs", Map.of("q", "body:" + "é".repeat(8_200)), "longer than 8192 characters"),
        // a fuzzy term's expansion over every project's words told of them (400 at the clause limit or 200)
        new Case("/api/v1/logs", Map.of("q", "payment~1"), "a fuzzy term (~)"),
        new Case("/api/v1/traces", Map.of("q", "attr.k:b~1"), "a fuzzy term (~)"),
        new Case("/api/v1/logs", Map.of("q", "project:other~0"), "a fuzzy term (~)"),
        // expanded over every project's ids and values before the time budget applies
        new Case("/api/v1/logs", Map.of("q", "traceId:[0 TO 8]"), "a range on traceId"),
        new Case("/api/v1/traces", Map.of("q", "attr.http.url:[a TO b]"), "a range on attr.http.url"),
        new Case("/api/v1/logs", Map.of("q", "traceId:0*"), "a prefix of fewer than 2 characters (0*)"),
        new Case("/api/v1/logs", Map.of("q", "p?yment"), "a wildcard with fewer than 2 characters before it"),
        // expanded over every project's words before the time budget applies
        new Case("/api/v1/logs", Map.of("q", "body:/.*a.*/"), "a regular expression (/.../)"),
        new Case("/api/v1/traces", Map.of("q", "attr.k:/.*/"), "a regular expression (/.../)"),
        new Case("/api/v1/logs", Map.of("q", "body:[a TO z]"), "a range on body"),
        new Case("/api/v1/logs", Map.of("q", "severity:[WARN TO ERROR]"), "use the severity parameter"),
        new Case("/api/v1/traces", Map.of("q", "name:{a TO *]"), "a range on name"),
        // the parser recursed per level: 4,000 levels overflowed its stack (a 500)
        new Case("/api/v1/logs", Map.of("q", "(".repeat(4_000) + "a" + ")".repeat(4_000)), "more than 32 deep"),
        // a quote inside a range bound is no phrase to the parser: the depth was counted as from a phrase
        new Case("/api/v1/logs", Map.of("q", "service:[a\" TO b] AND " + "(".repeat(4_000) + "a" + ")".repeat(4_000)),
            "more than 32 deep"),
        new Case("/api/v1/traces", Map.of("q", "name:[a\" TO b] AND " + "(".repeat(4_000) + "a" + ")".repeat(4_000)),
            "more than 32 deep"),
        new Case("/api/v1/logs", Map.of("limit", "abc"), "limit must be an integer"),
        new Case("/api/v1/logs", Map.of("limit", "99999999999"), "limit must be an integer"),
        new Case("/api/v1/traces", Map.of("limit", "x"), "limit must be an integer"),
        new Case("/api/v1/logs", Map.of("from", "1678-01-01T00:00:00Z", "to", "2262-01-01T00:00:00Z"),
            "must not be longer than 31 days"),
        new Case("/api/v1/logs/histogram", Map.of("from", "1678-01-01T00:00:00Z", "to", "2262-01-01T00:00:00Z"),
            "must not be longer than 31 days"),
        new Case("/api/v1/traces", Map.of("from", "1678-01-01T00:00:00Z", "to", "2262-01-01T00:00:00Z"),
            "must not be longer than 31 days"),
        new Case("/api/v1/logs/histogram", Map.of("interval", "PT3000000H"), "interval must be a duration"),
        new Case("/api/v1/traces", Map.of("minDuration", "PT3000000H"), "minDuration must be a duration"),
        new Case("/api/v1/traces", Map.of("minDuration", "2s", "maxDuration", "1s"),
            "minDuration must not be greater than maxDuration"));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      Response response = get(c.path(), c.params());
      String body = response.asString();
      if (response.statusCode() != 400 || !body.contains(c.message()) || !body.contains("\"error\"")) {
        failures.add(c.path() + " " + c.params() + " -> " + response.statusCode() + " " + body);
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void traceSearchFindsTracesByServiceOperationAttributeAndDuration() {
    String slow = UUID.randomUUID().toString().replace("-", "");
    String fast = UUID.randomUUID().toString().replace("-", "");
    otlp.send(Otlp.traces(Otlp.resource("orders", project), List.of(
        Otlp.span(slow, "0000000000000001", null, "POST /orders", base, 2_000_000_000L, Map.of("tenant", "t1")),
        Otlp.span(fast, "0000000000000002", null, "POST /orders", base + 5, 10_000_000L, Map.of("tenant", "t2")))));
    Eventually.within(Duration.ofSeconds(5), "2 traces", () -> get("/api/v1/traces",
        Map.of("service", "orders")).jsonPath().getList("traces").size() == 2);
    assertThat(get("/api/v1/traces", Map.of("service", "orders", "minDuration", "1s")).jsonPath()
        .getList("traces.traceId")).containsExactly(slow);
    assertThat(get("/api/v1/traces", Map.of("operation", "POST /orders", "attr.tenant", "t2")).jsonPath()
        .getList("traces.traceId")).containsExactly(fast);
    assertThat(get("/api/v1/traces", Map.of("maxDuration", "100ms")).jsonPath().getList("traces.traceId"))
        .containsExactly(fast);
    Set<String> services = new HashSet<>(get("/api/v1/services", Map.of()).jsonPath().getList("services"));
    assertThat(services).containsExactly("orders");
  }
}
