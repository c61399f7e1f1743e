package dev.outpost.observability.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.ingest.LogsIngested;
import dev.outpost.observability.ingest.OtlpServer;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.Owner;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestIdpResource.class)
public class LiveTailTest {

  @Inject OtlpServer server;
  @Inject TailHub hub;
  @Inject QueryMemory memory;

  @TestHTTPResource("/api/v1/logs/tail")
  URL tail;

  /** Opens a tail; returns the data lines as they arrive. */
  public static List<String> follow(URL tail, String token, String query, List<CompletableFuture<?>> streams) {
    return follow(tail, token, query, streams, l -> l.startsWith("data:"));
  }

  /** Opens a tail; returns its lines that {@code kept} keeps, as they arrive. */
  static List<String> follow(URL tail, String token, String query, List<CompletableFuture<?>> streams,
      java.util.function.Predicate<String> kept) {
    List<String> lines = new CopyOnWriteArrayList<>();
    HttpRequest request = HttpRequest.newBuilder(URI.create(tail + "?q=" + URLEncoder.encode(query,
            StandardCharsets.UTF_8))).header("Authorization", "Bearer " + token)
        .header("Accept", "text/event-stream").build();
    streams.add(HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines())
        .thenAccept(response -> {
          try (Stream<String> body = response.body()) {
            body.filter(kept).forEach(lines::add);
          }
        }));
    return lines;
  }

  @Test
  void matchingRecordsArePushedAsTheyArriveOnlyFromTheCallersProjects() {
    String own = "tail-" + UUID.randomUUID();
    String other = "tail-other-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("alice", List.of(own));
    List<CompletableFuture<?>> streams = new CopyOnWriteArrayList<>();
    String query = "body:wanted OR project:\"" + other + "\"";
    // earlier tails closing after the count is taken would keep it from reaching two more
    Eventually.within(Duration.ofSeconds(5), "earlier tails closed", () -> hub.subscriberCount() == 0);
    int before = hub.subscriberCount();
    List<String> lines = follow(tail, token, query, streams);
    // the other project tailed too: records of projects no tail reads are dropped before any
    // tail's filter, which would leave the isolation under test unreached
    List<String> otherLines = follow(tail, TestIdpResource.idp().token("bob", List.of(other)), query, streams);
    try {
      Eventually.within(Duration.ofSeconds(5), "both subscribed", () -> hub.subscriberCount() >= before + 2);
      Otlp otlp = new Otlp(server.port());
      long now = System.currentTimeMillis() * 1_000_000L;
      otlp.send(Otlp.logs(Otlp.resource("svc", own), List.of(
          Otlp.log(now, "wanted one", Map.of()), Otlp.log(now + 1, "unwanted", Map.of()))));
      otlp.send(Otlp.logs(Otlp.resource("svc", other), List.of(Otlp.log(now + 2, "wanted secret", Map.of()))));
      otlp.send(Otlp.logs(Otlp.resource("svc", own), List.of(Otlp.log(now + 3, "wanted two", Map.of()))));
      // positive control: the other project's record was ingested and pushed, to its own reader
      Eventually.within(Duration.ofSeconds(5), "the other record pushed to its tail", () -> !otherLines.isEmpty());
      assertThat(otherLines.get(0)).contains("wanted secret").contains(other);
      Eventually.within(Duration.ofSeconds(5), "two records pushed", () -> lines.size() >= 2);
      // the other project's record was ingested before "wanted two" (one filtering thread, in
      // ingest order): had it passed, it would be here
      assertThat(lines).hasSize(2);
      assertThat(lines.get(0)).contains("wanted one").contains(own);
      assertThat(lines.get(1)).contains("wanted two");
      assertThat(String.join("", lines)).doesNotContain("secret").doesNotContain("unwanted");
    } finally {
      streams.forEach(s -> s.cancel(true));
    }
  }

  /**
   * Another project's flood does not end a tail: only records of tailed projects wait to be
   * filtered, and when a batch past the waiting bound (64 MiB of text) is dropped, only the tails of
   * its project end. Before, it ended every tail of every project ("the live tail fell behind ingest").
   */
  @Test
  void anotherProjectsFloodDoesNotEndATail() {
    String own = "tail-calm-" + UUID.randomUUID();
    String flooding = "tail-flood-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("calm", List.of(own));
    List<CompletableFuture<?>> streams = new CopyOnWriteArrayList<>();
    List<CompletableFuture<?>> floodStreams = new CopyOnWriteArrayList<>();
    // an earlier test's tail closing after the count is taken would keep it from ever reaching two more
    Eventually.within(Duration.ofSeconds(5), "earlier tails closed", () -> hub.subscriberCount() == 0);
    int before = hub.subscriberCount();
    List<String> lines = follow(tail, token, "", streams);
    // someone tails the flooding project: its records are queued, and past the bound its tail ends
    List<String> floodLines = follow(tail, TestIdpResource.idp().token("flooded", List.of(flooding)), "", floodStreams,
        l -> !l.isEmpty() && !l.startsWith(":"));
    try {
      Eventually.within(Duration.ofSeconds(5), "subscribed", () -> hub.subscriberCount() >= before + 2);
      String megabyte = "f".repeat(1 << 20);
      Owner flood = new Owner("svc", flooding, "", "", "");
      List<LogEntry> batch = new ArrayList<>();
      for (int i = 0; i < 70; i++) {
        batch.add(new LogEntry(i, 1, 1, 9, "INFO", megabyte, flood, "", "", "", Map.of(), Map.of()));
      }
      hub.onIngested(new LogsIngested(batch));
      long now = System.currentTimeMillis() * 1_000_000L;
      new Otlp(server.port()).send(Otlp.logs(Otlp.resource("svc", own), List.of(Otlp.log(now, "still tailed", Map.of()))));
      Eventually.within(Duration.ofSeconds(5), "the own record pushed", () -> !lines.isEmpty());
      assertThat(lines.get(0)).contains("still tailed");
      assertThat(streams.get(0)).as("the stream is still open").isNotDone();
      Eventually.within(Duration.ofSeconds(5), "the flooded project's tail ended", () -> floodStreams.get(0).isDone());
      // its last event says why, so that its reader reconnects
      assertThat(floodLines).hasSizeGreaterThanOrEqualTo(2);
      assertThat(floodLines.get(floodLines.size() - 2)).matches("event: ?end");
      assertThat(floodLines.get(floodLines.size() - 1)).contains("\"error\":\"fell_behind\"").contains("reconnect");
    } finally {
      streams.forEach(s -> s.cancel(true));
      floodStreams.forEach(s -> s.cancel(true));
    }
  }

  /**
   * One project whose records the filtering cannot keep up with (an expensive query over large
   * records) fills only its own share of the backlog: its tails end, another project's go on.
   * Before, its batches filled the shared backlog and the next batch of any project was dropped,
   * ending that project's tails.
   */
  @Test
  void oneProjectsBacklogEndsOnlyItsOwnTails() throws Exception {
    String slow = "tail-slow-" + UUID.randomUUID();
    String other = "tail-other-" + UUID.randomUUID();
    TailHub.TailLimits limits = new TailHub.TailLimits(4, 16, 64);
    Runnable slowPlace = hub.reserve("slow-reader", java.util.Set.of(slow), limits);
    Runnable otherPlace = hub.reserve("other-reader", java.util.Set.of(other), limits);
    java.util.concurrent.CountDownLatch filtering = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Throwable> slowEnded = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<Throwable> otherEnded = new java.util.concurrent.atomic.AtomicReference<>();
    List<Object> otherGot = new CopyOnWriteArrayList<>();
    // the slow project's filter holds the filtering thread, as a costly query over large records does
    // (a filter scopes its own records: the resource's matcher does)
    hub.subscribe(java.util.Set.of(slow), r -> {
      filtering.countDown();
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return true;
    }, memory.lease(), Duration.ofMinutes(1), Duration.ofMinutes(1), slowPlace).subscribe().with(v -> { }, slowEnded::set);
    io.smallrye.mutiny.subscription.Cancellable otherTail = hub.subscribe(java.util.Set.of(other),
            r -> r.owner().project().equals(other), memory.lease(), Duration.ofMinutes(1), Duration.ofMinutes(1), otherPlace)
        .subscribe().with(item -> item.ifPresent(otherGot::add), otherEnded::set);
    try {
      hub.onIngested(new LogsIngested(records(slow, 1, 10)));
      assertThat(filtering.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 6; i++) {
        hub.onIngested(new LogsIngested(records(slow, 10, 1 << 20)));
      }
      hub.onIngested(new LogsIngested(records(other, 5, 1 << 20)));
      assertThat(slowEnded.get()).as("the slow project's tail fell behind").isNotNull();
      assertThat(otherEnded.get()).as("the other project's tail").isNull();
    } finally {
      released.countDown();
    }
    try {
      Eventually.within(Duration.ofSeconds(5), "the other project's records", () -> otherGot.size() == 5);
      assertThat(otherEnded.get()).isNull();
    } finally {
      // ended here, not a minute later in another test, whose count of subscribers it would change
      otherTail.cancel();
    }
  }

  /**
   * A filter that fails with an Error (Lucene's AssertionError with assertions on, a StackOverflowError
   * of a deep query) ends its own stream, as one that throws an exception does, and the other tails
   * of the project get the batch. Before, the Error left the filtering task: the tails after it
   * missed the batch without a word, and the failing one stayed open, failing at every batch.
   */
  @Test
  void aFilterFailingWithAnErrorEndsOnlyItsOwnStream() throws Exception {
    String project = "tail-error-" + UUID.randomUUID();
    TailHub.TailLimits limits = new TailHub.TailLimits(4, 16, 64);
    java.util.concurrent.atomic.AtomicReference<Throwable> failingEnded = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<Throwable> otherEnded = new java.util.concurrent.atomic.AtomicReference<>();
    List<Object> otherGot = new CopyOnWriteArrayList<>();
    // subscribed first: the filtering reaches it before the other tail
    io.smallrye.mutiny.subscription.Cancellable failing = hub.subscribe(java.util.Set.of(project), r -> {
      throw new StackOverflowError();
    }, memory.lease(), Duration.ofMinutes(1), Duration.ofMinutes(1), hub.reserve("failing-reader",
        java.util.Set.of(project), limits)).subscribe().with(v -> { }, failingEnded::set);
    io.smallrye.mutiny.subscription.Cancellable other = hub.subscribe(java.util.Set.of(project), r -> true,
            memory.lease(), Duration.ofMinutes(1), Duration.ofMinutes(1),
            hub.reserve("other-reader", java.util.Set.of(project), limits))
        .subscribe().with(item -> item.ifPresent(otherGot::add), otherEnded::set);
    try {
      hub.onIngested(new LogsIngested(records(project, 3, 10)));
      Eventually.within(Duration.ofSeconds(5), "the failing tail ended", () -> failingEnded.get() != null);
      assertThat(failingEnded.get()).isInstanceOf(StackOverflowError.class);
      Eventually.within(Duration.ofSeconds(5), "the other tail's records", () -> otherGot.size() == 3);
      assertThat(otherEnded.get()).isNull();
    } finally {
      // ended here, not a minute later in another test, whose count of subscribers it would change
      failing.cancel();
      other.cancel();
    }
  }

  private static List<LogEntry> records(String project, int count, int chars) {
    String body = "r".repeat(chars);
    Owner owner = new Owner("svc", project, "", "", "");
    List<LogEntry> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      batch.add(new LogEntry(i, 1, 1, 9, "INFO", body, owner, "", "", "", Map.of(), Map.of()));
    }
    return batch;
  }

  /**
   * A tail with nothing to send writes an SSE comment every query.tail-keep-alive (500 ms in tests,
   * 15 s by default): proxies close a response silent for 60 s, and a tail for errors is quiet most
   * of the time. Readers skip comments; the records still come as data events.
   */
  @Test
  void aQuietTailWritesKeepAliveCommentsBetweenRecords() throws Exception {
    String project = "tail-quiet-" + UUID.randomUUID();
    List<String> lines = new CopyOnWriteArrayList<>();
    HttpRequest request = HttpRequest.newBuilder(URI.create(tail + "?q=quiet"))
        .header("Authorization", "Bearer " + TestIdpResource.idp().token("quiet", List.of(project)))
        .header("Accept", "text/event-stream").build();
    CompletableFuture<?> stream = HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines())
        .thenAccept(response -> {
          try (Stream<String> body = response.body()) {
            body.filter(l -> !l.isEmpty()).forEach(lines::add);
          }
        });
    try {
      Eventually.within(Duration.ofSeconds(3), "two keep-alives", () -> lines.size() >= 2);
      assertThat(lines).allSatisfy(line -> assertThat(line).startsWith(":"));
      new Otlp(server.port()).send(Otlp.logs(Otlp.resource("svc", project),
          List.of(Otlp.log(System.currentTimeMillis() * 1_000_000L, "quiet no more", Map.of()))));
      Eventually.within(Duration.ofSeconds(5), "the record", () -> lines.stream().anyMatch(l -> l.startsWith("data:")));
      assertThat(lines.stream().filter(l -> l.startsWith("data:")).findFirst().orElseThrow()).contains("quiet no more");
      assertThat(stream).isNotDone();
    } finally {
      stream.cancel(true);
    }
  }

  /** When every call stops taking the token: the clock skew (60 s) past its exp, as searches do. */
  @Test
  void aTailEndsWhenItsTokenExpires() throws Exception {
    String own = "tail-exp-" + UUID.randomUUID();
    long exp = System.currentTimeMillis() / 1000 - 57;
    String token = TestIdpResource.idp().token("short-lived", Map.of("projects", List.of(own), "iat", exp - 600,
        "exp", exp));
    HttpRequest request = HttpRequest.newBuilder(tail.toURI()).header("Authorization", "Bearer " + token)
        .header("Accept", "text/event-stream").build();
    HttpResponse<String> response = HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> lines = response.body().lines().filter(l -> !l.isEmpty() && !l.startsWith(":")).toList();
    // the body ended on its own: the server closed the stream at the token's expiry, saying so last
    assertThat(System.currentTimeMillis() / 1000).isGreaterThanOrEqualTo(exp + 60);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).matches("event: ?end");
    assertThat(lines.get(1)).contains("\"error\":\"token_expired\"");
    Eventually.within(Duration.ofSeconds(2), "its place given back", () -> openTails("short-lived") == 0);
  }

  @Test
  void oneCallerHoldsAtMostFourTailsAndAClosedOneGivesItsPlaceBack() throws Exception {
    String own = "tail-many-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("greedy", List.of(own));
    List<CompletableFuture<?>> streams = new CopyOnWriteArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        follow(tail, token, "", streams);
      }
      Eventually.within(Duration.ofSeconds(5), "four open", () -> openTails("greedy") == 4);
      HttpResponse<String> fifth = HttpClient.newHttpClient().send(HttpRequest.newBuilder(tail.toURI())
          .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(fifth.statusCode()).isEqualTo(429);
      assertThat(fifth.body()).contains("at most 4 live tails per caller");
      // another caller is not held back by this one
      List<String> others = follow(tail, TestIdpResource.idp().token("someone", List.of(own)), "", streams);
      Eventually.within(Duration.ofSeconds(5), "another caller's tail", () -> openTails("someone") == 1);
      assertThat(others).isEmpty();

      streams.get(0).cancel(true);
      Eventually.within(Duration.ofSeconds(5), "a place given back", () -> openTails("greedy") == 3);
    } finally {
      streams.forEach(s -> s.cancel(true));
    }
  }

  /**
   * A tail that ends takes its timers with it: left queued until the token's expiry, each kept its
   * stream and request in memory, so opening and closing tails could fill the heap.
   */
  @Test
  void aClosedTailLeavesNoTimerBehind() throws Exception {
    String own = "tail-timers-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("timers", List.of(own));
    List<CompletableFuture<?>> streams = new CopyOnWriteArrayList<>();
    int before = hub.scheduledTimers();
    try {
      for (int i = 0; i < 4; i++) {
        follow(tail, token, "", streams);
      }
      Eventually.within(Duration.ofSeconds(5), "four open", () -> openTails("timers") == 4);
      // a place is taken before its stream starts, and with it its timers
      Eventually.within(Duration.ofSeconds(5), "an end and a keep-alive for each", () -> hub.scheduledTimers() >= 8);
    } finally {
      streams.forEach(s -> s.cancel(true));
    }
    Eventually.within(Duration.ofSeconds(5), "their places given back", () -> openTails("timers") == 0);
    Eventually.within(Duration.ofSeconds(5), "their timers gone", () -> hub.scheduledTimers() <= before);
  }

  @Test
  void oneProjectHoldsAtMostSixteenTailsSoThatOtherProjectsKeepTheirPlaces() throws Exception {
    String crowded = "tail-crowded-" + UUID.randomUUID();
    List<CompletableFuture<?>> streams = new CopyOnWriteArrayList<>();
    try {
      for (int user = 0; user < 4; user++) {
        String token = TestIdpResource.idp().token("crowd-" + user, List.of(crowded));
        for (int i = 0; i < 4; i++) {
          follow(tail, token, "", streams);
        }
        int opened = user;
        Eventually.within(Duration.ofSeconds(5), "four open", () -> openTails("crowd-" + opened) == 4);
      }
      HttpResponse<String> seventeenth = HttpClient.newHttpClient().send(HttpRequest.newBuilder(tail.toURI())
          .header("Authorization", "Bearer " + TestIdpResource.idp().token("crowd-5", List.of(crowded)))
          .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(seventeenth.statusCode()).isEqualTo(429);
      assertThat(seventeenth.body()).contains("at most 16 live tails per project");
      // another project's reader is not held back by the crowded one
      String quiet = "tail-quiet-" + UUID.randomUUID();
      follow(tail, TestIdpResource.idp().token("quiet", List.of(quiet)), "", streams);
      Eventually.within(Duration.ofSeconds(5), "the other project's tail", () -> openTails("quiet") == 1);
    } finally {
      streams.forEach(s -> s.cancel(true));
    }
  }

  /** A refused query keeps no place: before, one the parser overflowed on held it until a restart. */
  @Test
  void aRefusedQueryIsAnsweredFourHundredAndKeepsNoPlace() throws Exception {
    String own = "tail-refused-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("refused", List.of(own));
    String deep = "service:[a\" TO b] AND " + "(".repeat(4_000) + "a" + ")".repeat(4_000);
    for (String q : List.of(deep, deep, "name:[a TO", deep, deep, "body:/.*/")) {
      HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(tail + "?q="
              + URLEncoder.encode(q, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + token)
          .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).as(q).isEqualTo(400);
      assertThat(refused.body()).contains("\"error\"").doesNotContain("Exception");
    }
    assertThat(openTails("refused")).isZero();
    List<CompletableFuture<?>> streams = new CopyOnWriteArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        follow(tail, token, "", streams);
      }
      Eventually.within(Duration.ofSeconds(5), "four open", () -> openTails("refused") == 4);
    } finally {
      streams.forEach(s -> s.cancel(true));
    }
  }

  private int openTails(String subject) {
    return hub.openTails(subject);
  }

  @Test
  void aTailWithoutATokenIsRefused() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(tail.toURI()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(401);
  }

  /**
   * Many small records for a reader that reads nothing pass the count of items a stream buffers
   * (10,000) long before its text bound: that stream ends too, closing the connection. An end event
   * there would wait behind writes that never complete, and hold the connection open.
   */
  @Test
  void aStalledTailOfManySmallRecordsIsClosed() throws Exception {
    String project = "tail-count-" + UUID.randomUUID();
    String token = TestIdpResource.idp().token("alice", List.of(project));
    // the tails of earlier tests end asynchronously: counted as they close, they read as this one ending
    Eventually.within(Duration.ofSeconds(5), "earlier tails closed", () -> hub.subscriberCount() == 0);
    int before = hub.subscriberCount();
    try (java.net.Socket reader = new java.net.Socket()) {
      reader.setReceiveBufferSize(8 * 1024);
      reader.connect(new java.net.InetSocketAddress("127.0.0.1", tail.getPort()));
      reader.getOutputStream().write(("GET /api/v1/logs/tail?q=tailcount HTTP/1.1\r\nHost: api\r\nAccept: text/event-stream"
          + "\r\nAuthorization: Bearer " + token + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      Eventually.within(Duration.ofSeconds(5), "subscribed", () -> hub.subscriberCount() > before);

      Otlp otlp = new Otlp(server.port());
      long base = System.currentTimeMillis() * 1_000_000L;
      // more than the 10,000 items the stream buffers and what the kernel's socket buffers take (a few MB on loopback)
      for (int batch = 0; batch < 40; batch++) {
        List<io.opentelemetry.proto.logs.v1.LogRecord> records = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
          records.add(Otlp.log(base + batch * 1_000 + i, "tailcount n" + (batch * 1_000 + i), Map.of()));
        }
        otlp.send(Otlp.logs(Otlp.resource("svc", project), records));
      }
      Eventually.within(Duration.ofSeconds(15), "the stream ended", () -> hub.subscriberCount() == before);

      reader.setSoTimeout(15_000);
      String received = new String(reader.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(received).as("closed without an end event it could not take").doesNotContain("event:end");
    }
  }
}
