package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.AppProcess;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdp;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs the packaged application, ingests from several threads, kills it with SIGKILL in the middle
 * of the ingest, restarts it on the same data and finds every acknowledged record exactly once.
 */
class CrashRecoveryIT {

  private static final String PROJECT = "crash-test";

  @TempDir Path data;

  @Test
  void everyAcknowledgedRecordSurvivesKillNine() throws Exception {
    try (TestIdp idp = new TestIdp(); AppProcess app = new AppProcess(Path.of("target", "crash-recovery-it.log"))) {
      Map<String, String> properties = Map.of(
          "outpost.observability.data-dir", data.toString(),
          "outpost.observability.ingest.data-plane-token", Otlp.DATA_PLANE_TOKEN,
          // a checkpoint lands during the ingest: recovery needs both the commits and the journal
          "outpost.observability.storage.checkpoint-interval", "PT1S",
          "mp.jwt.verify.publickey.location", idp.jwksUrl(),
          "mp.jwt.verify.issuer", TestIdp.ISSUER);
      app.start(properties);

      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong sent = new AtomicLong();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int writer = t;
        Thread thread = new Thread(() -> {
          Otlp otlp = new Otlp(app.otlpPort);
          for (int batch = 0; !stop.get(); batch++) {
            List<LogRecord> records = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
              String id = "w" + writer + "b" + batch + "r" + i;
              ids.add(id);
              records.add(Otlp.log(System.currentTimeMillis() * 1_000_000L, id, Map.of()));
            }
            try {
              HttpResponse<byte[]> response = otlp.post("/v1/logs", "application/x-protobuf",
                  Otlp.logs(Otlp.resource("crash", PROJECT), records).toByteArray(),
                  Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
              sent.addAndGet(ids.size());
              if (response.statusCode() == 200) {
                acknowledged.addAll(ids);
              }
            } catch (RuntimeException connectionLost) {
              return;
            }
          }
        });
        writers.add(thread);
        thread.start();
      }
      // load until well over a thousand records are acknowledged, however slow this machine
      long loadDeadline = System.currentTimeMillis() + 30_000;
      while (acknowledged.size() <= 2000) {
        assertThat(System.currentTimeMillis()).as("2000 records acknowledged under load").isLessThan(loadDeadline);
        Thread.sleep(20);
      }
      // acknowledged just before the kill, so that the replay stores it: a record the retention
      // window took at receipt is stored, though its time leaves the window before the restart
      long edgeMillis = System.currentTimeMillis() - Duration.ofDays(7).toMillis() + 10_000;
      HttpResponse<byte[]> edge = new Otlp(app.otlpPort).post("/v1/logs", "application/x-protobuf",
          Otlp.logs(Otlp.resource("crash", PROJECT), List.of(Otlp.log(edgeMillis * 1_000_000L, "at the retention edge", Map.of())))
              .toByteArray(), Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
      assertThat(edge.statusCode()).isEqualTo(200);
      assertThat(io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse.parseFrom(edge.body())
          .getPartialSuccess().getRejectedLogRecords()).as("taken at receipt").isZero();
      app.kill(); // while the writers are still sending
      stop.set(true);
      for (Thread w : writers) {
        w.join();
      }
      assertThat(acknowledged).as("records acknowledged before the kill").hasSizeGreaterThan(1000);

      Thread.sleep(Math.max(0, edgeMillis + Duration.ofDays(7).toMillis() + 200 - System.currentTimeMillis()));
      app.start(properties);
      String token = idp.token("checker", List.of(PROJECT));
      assertThat(bodies(app.httpPort, token, edgeMillis - 1000, edgeMillis + 1000)).containsExactly("at the retention edge");
      List<String> found = allBodies(app.httpPort, token);
      assertThat(new HashSet<>(found)).containsAll(acknowledged);
      assertThat(found).as("no record stored twice by the replay").doesNotHaveDuplicates();
    }
  }

  /** Pages through every stored record of the project of the last ten minutes with the query API. */
  private static List<String> allBodies(int port, String token) throws Exception {
    return bodies(port, token, System.currentTimeMillis() - 600_000, System.currentTimeMillis() + 60_000);
  }

  /** Pages through every stored record of the project between {@code from} and {@code to} (ms). */
  private static List<String> bodies(int port, String token, long from, long to) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    List<String> bodies = new ArrayList<>();
    String cursor = null;
    do {
      String uri = "http://127.0.0.1:" + port + "/api/v1/logs?limit=1000&from=" + from + "&to=" + to
          + (cursor == null ? "" : "&cursor=" + cursor);
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(uri))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode page = json.readTree(response.body());
      page.get("records").forEach(r -> bodies.add(r.get("body").asText()));
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
    } while (cursor != null);
    return bodies;
  }
}
