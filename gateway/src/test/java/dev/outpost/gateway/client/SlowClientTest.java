package dev.outpost.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.PrometheusText;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slow clients against a request head timeout of 1 s ({@code outpost.gateway.request-head-timeout});
 * the idle timeout stays 30 s. A client sending its headers a byte every 100 ms resets the idle
 * timeout each time and, before the head timeout, held its connection for as long as it liked.
 */
@QuarkusTest
@TestProfile(SlowClientTest.OneSecondForAHead.class)
@QuarkusTestResource(GatewayTestEnvironment.class)
class SlowClientTest {

  public static class OneSecondForAHead implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.gateway.request-head-timeout", "1s");
    }
  }

  @TestHTTPResource("/")
  URL gateway;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  @AfterEach
  void forget() {
    GatewayTestEnvironment.upstream.clear();
  }

  @Test
  void aHeadSentAByteAtATimeIsCutAtTheTimeoutAndReachesNoUpstream() throws Exception {
    double before = PrometheusText.scrape(metrics).value("outpost_gateway_request_heads_timed_out_total");
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      CompletableFuture<Long> closedAfter = closedAfter(socket, start);
      OutputStream out = socket.getOutputStream();
      out.write("GET /pub/slowloris HTTP/1.1\r\nHost: gw\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
      trickle(out, closedAfter);

      assertThat(closedAfter.get(1, TimeUnit.SECONDS)).isBetween(500L, 3_000L);
    }
    assertThat(GatewayTestEnvironment.upstream.poll(300)).isNull();
    assertThat(PrometheusText.scrape(metrics).value("outpost_gateway_request_heads_timed_out_total")).isEqualTo(before + 1);
  }

  @Test
  void aKeepAliveConnectionHasTheSameTimeForItsNextHead() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /pub/first HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      assertThat(RawHttp.read(in).status()).isEqualTo(200);

      long answered = System.nanoTime();
      CompletableFuture<Long> closedAfter = closedAfter(socket, answered);
      out.write("GET /pub/second HTTP/1.1\r\nHost: gw\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
      trickle(out, closedAfter);

      // the gateway's clock starts as it ends the response, a little before this client has read it
      assertThat(closedAfter.get(1, TimeUnit.SECONDS)).isBetween(500L, 3_000L);
    }
    assertThat(GatewayTestEnvironment.upstream.next().uri()).isEqualTo("/first");
    assertThat(GatewayTestEnvironment.upstream.poll(300)).isNull();
  }

  @Test
  void aRequestInFlightIsNotTimedHoweverLongItsResponseTakes() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // the upstream answers /slow after 1.5 s, past the 1 s a head has
      out.write("GET /pub/slow HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Response slow = RawHttp.read(in);
      assertThat(slow.status()).isEqualTo(200);
      assertThat(slow.body()).isEqualTo("slow");

      // and the connection, ready again, takes the next head sent within the second
      Thread.sleep(200);
      out.write("GET /pub/after HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(RawHttp.read(in).status()).isEqualTo(200);
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", gateway.getPort());
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Milliseconds from {@code since} until the gateway closes the connection (a read gives -1 or fails). */
  private static CompletableFuture<Long> closedAfter(Socket socket, long since) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        InputStream in = socket.getInputStream();
        while (in.read() != -1) {
          // a response here would be a test failure: the head is never complete; keep reading to the end
        }
      } catch (IOException closed) {
        // a reset is a close as well
      }
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    });
  }

  /** One header byte every 100 ms, for at most 5 s or until the connection is closed. */
  private static void trickle(OutputStream out, CompletableFuture<Long> closed) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!closed.isDone() && System.nanoTime() < until) {
      try {
        out.write('a');
        out.flush();
      } catch (IOException gone) {
        return;
      }
      Thread.sleep(100);
    }
  }
}
