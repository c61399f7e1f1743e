package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.AppProcess;
import dev.outpost.observability.support.Eventually;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdp;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop by SIGTERM (a rolling update) in the middle of ingest, while searchers refresh and the
 * journal checkpoints: the indexes are committed on the way down, so the next start has no record
 * of the journal to replay. Interrupting the storage threads instead closed Lucene writers (an
 * interrupt inside a write does), the final commit was skipped and the next start replayed the
 * whole journal.
 */
class GracefulStopIT {

  @TempDir Path data;

  @Test
  void aStopUnderIngestCommitsTheIndexesAndLeavesNothingToReplay() throws Exception {
    Path log = Path.of("target", "graceful-stop-it.log");
    Files.deleteIfExists(log);
    try (TestIdp idp = new TestIdp(); AppProcess app = new AppProcess(log)) {
      Map<String, String> properties = Map.of(
          "outpost.observability.data-dir", data.toString(),
          "outpost.observability.ingest.data-plane-token", Otlp.DATA_PLANE_TOKEN,
          // refreshes and checkpoints run all the time, so the stop lands in the middle of one
          "outpost.observability.storage.refresh-interval", "PT0.005S",
          "outpost.observability.storage.checkpoint-interval", "PT0.05S",
          "mp.jwt.verify.publickey.location", idp.jwksUrl(),
          "mp.jwt.verify.issuer", TestIdp.ISSUER);
      app.start(properties);

      AtomicBoolean stop = new AtomicBoolean();
      // had every post been refused, nothing would be journaled and "nothing to replay" would hold trivially
      AtomicLong accepted = new AtomicLong();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread thread = new Thread(() -> {
          Otlp otlp = new Otlp(app.otlpPort);
          while (!stop.get()) {
            List<LogRecord> records = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
              records.add(Otlp.log(System.currentTimeMillis() * 1_000_000L, "record " + i, Map.of()));
            }
            try {
              HttpResponse<byte[]> response = otlp.post("/v1/logs", "application/x-protobuf",
                  Otlp.logs(Otlp.resource("stop", "stop-test"), records).toByteArray(),
                  Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
              if (response.statusCode() / 100 == 2) {
                accepted.incrementAndGet();
              }
            } catch (RuntimeException connectionLost) {
              return;
            }
          }
        });
        writers.add(thread);
        thread.start();
      }
      Thread.sleep(3000);
      long acceptedBeforeStop = accepted.get();
      app.stop();
      stop.set(true);
      for (Thread w : writers) {
        w.join();
      }
      assertThat(acceptedBeforeStop).as("posts accepted before the stop").isGreaterThan(0);
      String firstRun = Files.readString(log);
      assertThat(firstRun).as("the first run's log").contains("OTLP/HTTP receiver listening")
          .doesNotContain("final checkpoint skipped").doesNotContain("ClosedByInterruptException")
          .doesNotContain("refresh failed").doesNotContain("checkpoint failed");

      app.start(properties);
      String secondRun = Files.readString(log).substring(firstRun.length());
      // at most the empty segment the final checkpoint opened
      assertThat(secondRun).as("the second start's log").doesNotContainPattern("journal replay: [1-9]");
    }
  }

  /**
   * An upload under way at SIGTERM is let finish and answered: closed at once, its client saw a
   * reset, which Quarkus' exporter does not retry, and its batch was lost. A request that comes
   * during the stop is answered 503 with Retry-After, as OTLP asks exporters to retry.
   */
  @Test
  void anUploadUnderWayAtTheStopIsAnsweredAndANewOneIsToldToRetry() throws Exception {
    try (TestIdp idp = new TestIdp(); AppProcess app = new AppProcess(Path.of("target", "graceful-stop-upload-it.log"))) {
      app.start(Map.of(
          "outpost.observability.data-dir", data.toString(),
          "outpost.observability.ingest.data-plane-token", Otlp.DATA_PLANE_TOKEN,
          // one place: a request refused 429 shows that the upload holds it, admitted
          "outpost.observability.ingest.max-in-flight", "1",
          "mp.jwt.verify.publickey.location", idp.jwksUrl(),
          "mp.jwt.verify.issuer", TestIdp.ISSUER));
      byte[] body = Otlp.logs(Otlp.resource("stop", "stop-test"),
          List.of(Otlp.log(System.currentTimeMillis() * 1_000_000L, "in flight at the stop", Map.of()))).toByteArray();
      Otlp otlp = new Otlp(app.otlpPort);
      try (java.net.Socket upload = new java.net.Socket("127.0.0.1", app.otlpPort)) {
        upload.setSoTimeout(15_000);
        Otlp.startUpload(upload.getOutputStream(), body);
        Eventually.within(Duration.ofSeconds(10), "the upload admitted: another request refused 429", () -> otlp.post(
            "/v1/logs", "application/x-protobuf", body, Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode() == 429);
        app.signalStop();

        // 429 until the stop begins (the upload holds the one place), then 503
        HttpResponse<byte[]>[] refused = new HttpResponse[1];
        Eventually.within(Duration.ofSeconds(8), "a request during the stop answered 503", () -> {
          refused[0] = otlp.post("/v1/logs", "application/x-protobuf", body, Otlp.bearer(Otlp.DATA_PLANE_TOKEN));
          return refused[0].statusCode() != 429;
        });
        assertThat(refused[0].statusCode()).as("a request during the stop").isEqualTo(503);
        assertThat(refused[0].headers().firstValue("Retry-After")).hasValue("1");

        upload.getOutputStream().write(body, body.length / 2, body.length - body.length / 2);
        upload.getOutputStream().flush();
        String head = new String(upload.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(head).as("the answer to the upload under way").isEqualTo("HTTP/1.1 200");
      }
      assertThat(app.awaitExit(Duration.ofSeconds(30))).as("the application exits").isTrue();
    }
  }
}
