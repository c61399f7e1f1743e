package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.Otlp;
import dev.outpost.spec.ingest.IntegrationIngestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import dev.outpost.observability.support.TestIdpResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One integration's token (a compromised pod) cannot keep every project's telemetry out: an upload
 * must arrive whole within the body timeout, however steadily it trickles, and one project's
 * integrations hold at most their share of the places and of the decode memory. Before, 64
 * trickling uploads, or a dozen chunked ones, answered every other exporter 429 for as long as they
 * went on.
 */
@QuarkusTest
@TestProfile(SlowUploadTest.SmallShares.class)
@QuarkusTestResource(TestIdpResource.class)
class SlowUploadTest {

  /** Eight places, three a project; 32 MiB to decode in, so a chunked upload (8 MiB) is a quarter; 4 s for a body. */
  public static class SmallShares implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.observability.ingest.max-in-flight", "8",
          "outpost.observability.ingest.max-in-flight-per-project", "3",
          "outpost.observability.ingest.decode-memory-bytes", String.valueOf(32L * 1024 * 1024),
          "outpost.observability.ingest.body-timeout", "PT4S");
    }
  }

  static final IntegrationIngestTokens ISSUER = new IntegrationIngestTokens(Otlp.DATA_PLANE_TOKEN);

  @Inject OtlpServer server;

  @Test
  void anUploadThatTricklesIsAnswered408AtTheBodyTimeoutAndGivesItsPlaceBack() throws Exception {
    byte[] body = batch("trickled");
    try (Socket slow = new Socket("127.0.0.1", server.port())) {
      slow.setSoTimeout(20_000);
      OutputStream out = slow.getOutputStream();
      Otlp.startUpload(out, body, ISSUER.issue("trickle", "crm"));
      long start = System.nanoTime();
      InputStream in = slow.getInputStream();
      // a byte every half second: the idle timeout never fires
      Thread trickle = new Thread(() -> {
        try {
          for (int i = body.length / 2; i < body.length - 1; i++) {
            Thread.sleep(500);
            out.write(body[i]);
            out.flush();
          }
        } catch (IOException | InterruptedException e) {
          // closed by the receiver
        }
      });
      trickle.start();
      String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      trickle.interrupt();
      assertThat(status).isEqualTo("HTTP/1.1 408");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
    assertThat(post("trickle", batch("after")).statusCode()).isEqualTo(200);
  }

  @Test
  void oneProjectHoldsAtMostItsShareOfThePlaces() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket slow = new Socket("127.0.0.1", server.port());
        held.add(slow);
        Otlp.startUpload(slow.getOutputStream(), batch("held " + i), ISSUER.issue("greedy", "crm-" + i));
      }
      awaitHeld(held);
      HttpResponse<byte[]> refused = awaitRefusal("greedy");
      assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("project greedy");
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();

      assertThat(post("patient", batch("another project")).statusCode()).isEqualTo(200);
      assertThat(new Otlp(server.port()).post("/v1/logs", "application/x-protobuf", batch("the data plane"),
          Otlp.bearer(Otlp.DATA_PLANE_TOKEN)).statusCode()).isEqualTo(200);
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void oneProjectHoldsAtMostHalfTheDecodeMemory() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      // a chunked body may grow to the body limit, so it holds 8 MiB of the 32 at once
      for (int i = 0; i < 2; i++) {
        Socket slow = new Socket("127.0.0.1", server.port());
        held.add(slow);
        slow.getOutputStream().write(("POST /v1/logs HTTP/1.1\r\nHost: otlp\r\nContent-Type: application/x-protobuf\r\n"
            + "Authorization: Bearer " + ISSUER.issue("hungry", "crm-" + i) + "\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        slow.getOutputStream().flush();
      }
      awaitHeld(held);
      HttpResponse<byte[]> refused = awaitRefusal("hungry");
      assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("project hungry");

      assertThat(post("modest", batch("another project")).statusCode()).isEqualTo(200);
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  /**
   * Waits a second for an answer on each upload, which would mean it was refused: admitted, it
   * holds its place until its body ends. A probe racing an admission could otherwise take the
   * last of the share first.
   */
  private static void awaitHeld(List<Socket> uploads) throws IOException {
    for (Socket upload : uploads) {
      upload.setSoTimeout(1_000);
      try {
        int answered = upload.getInputStream().read();
        throw new AssertionError("an upload was answered before its body ended (" + answered + ")");
      } catch (java.net.SocketTimeoutException held) {
        // no answer: it waits for its body
      }
    }
  }

  private HttpResponse<byte[]> awaitRefusal(String project) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    HttpResponse<byte[]> response;
    do {
      response = post(project, batch("one too many"));
    } while (response.statusCode() != 429 && System.nanoTime() < deadline);
    assertThat(response.statusCode()).isEqualTo(429);
    return response;
  }

  private HttpResponse<byte[]> post(String project, byte[] body) throws Exception {
    return new Otlp(server.port()).post("/v1/logs", "application/x-protobuf", body,
        Otlp.bearer(ISSUER.issue(project, "crm-" + UUID.randomUUID().toString().substring(0, 8))));
  }

  private static byte[] batch(String text) {
    long now = System.currentTimeMillis() * 1_000_000L;
    return Otlp.logs(Otlp.resource("svc", "p"), List.of(Otlp.log(now, text, Map.of()))).toByteArray();
  }
}
