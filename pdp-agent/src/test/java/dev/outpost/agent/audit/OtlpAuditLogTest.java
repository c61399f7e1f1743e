package dev.outpost.agent.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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

  @Test
  void dropsOnlyTheOldestWhenTheQueueOverflows() throws Exception {
    server.stop(0);
    try (OtlpAuditLog log = new OtlpAuditLog(URI.create("http://127.0.0.1:9"), "t", "a", 3)) {
      for (int i = 1; i <= 10; i++) {
        log.record(new AuditEvent(true, i, "dp1", List.of(), Instant.now()));
      }
      assertThat(log.pending()).isLessThanOrEqualTo(3);
    }
  }

  private static int count(String body) {
    try {
      return new ObjectMapper().readTree(body).at("/resourceLogs/0/scopeLogs/0/logRecords").size();
    } catch (Exception e) {
      return 0;
    }
  }
}
