package dev.outpost.agent.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OtlpAuditLogTest {
  HttpServer server;
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final AtomicInteger failuresLeft = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/logs", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int status = failuresLeft.getAndDecrement() > 0 ? 503 : 200;
      if (status == 200) {
        bodies.add(body);
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).as("condition within 10 s").isTrue();
  }

  @Test
  void sendsAcceptedAndRejectedSnapshotsAsOtlpLogRecordsWithTheContractAttributes() throws Exception {
    try (OtlpAuditLog log = new OtlpAuditLog(endpoint(), "dp-token", "agent-1", 100)) {
      log.record(new AuditEvent(true, 4, "dp1", List.of(), Instant.ofEpochSecond(1_700_000_000L, 5)));
      log.record(new AuditEvent(false, 3, "dp1", List.of("signature: does not verify"), Instant.now()));
      await(() -> bodies.stream().mapToInt(b -> count(b)).sum() == 2);
    }
    assertThat(authorizations).allMatch("Bearer dp-token"::equals);
    JsonNode first = new ObjectMapper().readTree(bodies.get(0));
    JsonNode resource = first.at("/resourceLogs/0/resource/attributes");
    assertThat(resource.toString()).contains("\"service.name\"").contains("outpost-pdp-agent");
    JsonNode records = first.at("/resourceLogs/0/scopeLogs/0/logRecords");
    JsonNode accepted = records.get(0);
    assertThat(accepted.get("timeUnixNano").asText()).isEqualTo("1700000000000000005");
    assertThat(accepted.toString()).contains("outpost.snapshot.accepted").contains("outpost-system");
    String all = String.join("", bodies);
    assertThat(all).contains("outpost.snapshot.rejected").contains("signature: does not verify");
  }

  @Test
  void retriesWhileTheStoreIsUnavailableAndLosesNothing() throws Exception {
    failuresLeft.set(2);
    try (OtlpAuditLog log = new OtlpAuditLog(endpoint(), "t", "agent-1", 100)) {
      log.record(new AuditEvent(true, 1, "dp1", List.of(), Instant.now()));
      await(() -> !bodies.isEmpty());
      assertThat(log.pending()).isZero();
    }
    assertThat(bodies.get(0)).contains("snapshot revision 1 accepted");
  }

  /**
   * Records waiting for a store that was away are delivered at close, if it is back: the agent stops
   * in every upgrade, and the records in hand and queued were dropped.
   */
  @Test
  void closingDeliversWhatWaitsOnceMore() throws Exception {
    failuresLeft.set(2);
    OtlpAuditLog log = new OtlpAuditLog(endpoint(), "dp-token", "agent-1", 100);
    log.record(new AuditEvent(true, 7, "dp1", List.of(), Instant.now()));
    log.record(new AuditEvent(false, 8, "dp1", List.of("revision: not newer"), Instant.now()));
    await(() -> failuresLeft.get() <= 0); // refused twice: the sender waits a second before the next try
    log.close();
    assertThat(bodies.stream().mapToInt(OtlpAuditLogTest::count).sum()).isEqualTo(2);
  }

  /** A store away for three attempts in a row is a warning, once, naming where and how many wait; each was DEBUG. */
  @Test
  void aStoreAwayForThreeAttemptsIsAWarning() throws Exception {
    failuresLeft.set(3);
    try (dev.outpost.spec.testing.LogLines lines = dev.outpost.spec.testing.LogLines.of(OtlpAuditLog.class);
        OtlpAuditLog log = new OtlpAuditLog(endpoint(), "t", "agent-1", 100)) {
      log.record(new AuditEvent(true, 1, "dp1", List.of(), Instant.now()));
      await(() -> !bodies.isEmpty());
      assertThat(lines.warnings()).singleElement().satisfies(line -> assertThat(line)
          .contains("audit records cannot be delivered to " + endpoint() + "/v1/logs (3 attempts in a row, it answered 503)")
          .contains("1 wait, at most 100 are kept"));
    }
  }

  /**
   * With a capacity of 3, revisions 1..10 recorded while the store refuses leave 8, 9 and 10: what
   * is delivered once it takes them is the newest three, in order (dropping the newest would leave 1..3).
   */
  @Test
  void dropsOnlyTheOldestWhenTheQueueOverflows() throws Exception {
    failuresLeft.set(Integer.MAX_VALUE); // the store refuses (503) until the test lets it take records
    try (OtlpAuditLog log = new OtlpAuditLog(endpoint(), "t", "a", 3)) {
      // the sender takes revision 0 out of the queue and retries it: once the store has refused it,
      // nothing leaves the queue until it is delivered, so 1..10 all meet the queue's bound
      log.record(accepted(0));
      await(() -> failuresLeft.get() < Integer.MAX_VALUE);
      for (int i = 1; i <= 10; i++) {
        log.record(accepted(i));
      }
      assertThat(log.pending()).isEqualTo(3);

      failuresLeft.set(0);
      await(() -> log.pending() == 0 && deliveredRevisions().size() >= 4);
    }
    assertThat(deliveredRevisions()).as("the batch in flight, then the newest three in order")
        .containsExactly(0L, 8L, 9L, 10L);
  }

  private static AuditEvent accepted(long revision) {
    return new AuditEvent(true, revision, "dp1", List.of(), Instant.now());
  }

  /** The {@code outpost.revision} of every record the store took, in the order it took them. */
  List<Long> deliveredRevisions() {
    List<Long> revisions = new ArrayList<>();
    for (String body : bodies) {
      try {
        for (JsonNode record : new ObjectMapper().readTree(body).at("/resourceLogs/0/scopeLogs/0/logRecords")) {
          for (JsonNode attribute : record.path("attributes")) {
            if ("outpost.revision".equals(attribute.path("key").asText())) {
              revisions.add(Long.parseLong(attribute.at("/value/intValue").asText()));
            }
          }
        }
      } catch (Exception e) {
        throw new AssertionError("a body that is not OTLP JSON: " + body, e);
      }
    }
    return revisions;
  }

  private static int count(String body) {
    try {
      return new ObjectMapper().readTree(body).at("/resourceLogs/0/scopeLogs/0/logRecords").size();
    } catch (Exception e) {
      return 0;
    }
  }
}
