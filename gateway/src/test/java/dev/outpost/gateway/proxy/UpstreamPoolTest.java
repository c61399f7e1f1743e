package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A burst of requests beyond the upstream pool, against an integration that is slow but healthy:
 * one event loop and one pooled connection, {@code /pub/slow} answered after 1.5 s, the route's
 * timeout 2 s, the connect timeout 500 ms. A request waits for the pooled connection up to the
 * route's timeout plus the connect timeout (2.5 s). It waited only the connect timeout before, was
 * answered 502 "could not be reached" by an integration that answered every request it was sent,
 * and each such wait counted against the breaker, which opened on the fifth. The profile also fixes
 * the public port's send buffer at 16 KiB, so that a response can be held back in the gateway by a
 * slow client ({@link ConnectionHandoverTest}).
 */
@QuarkusTest
@TestProfile(UpstreamPoolTest.OnePooledConnection.class)
@QuarkusTestResource(GatewayTestEnvironment.class)
class UpstreamPoolTest {

  public static class OnePooledConnection implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.gateway.upstream-pool-size", "1", "quarkus.vertx.event-loops-pool-size", "1",
          "outpost.test.send-buffer-size", "16384");
    }
  }

  @TestHTTPResource("/")
  URL gateway;

  private final ExecutorService clients = Executors.newFixedThreadPool(8);

  @AfterEach
  void stop() {
    clients.shutdownNow();
    GatewayTestEnvironment.upstream.clear();
  }

  private List<RawHttp.Response> atOnce(int requests) throws Exception {
    List<CompletableFuture<RawHttp.Response>> sent = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      sent.add(CompletableFuture.supplyAsync(() -> {
        try {
          return RawHttp.send(gateway.getPort(), "GET /pub/slow HTTP/1.1\r\nHost: gw\r\n\r\n");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, clients));
    }
    List<RawHttp.Response> answers = new ArrayList<>();
    for (CompletableFuture<RawHttp.Response> f : sent) {
      answers.add(f.get());
    }
    return answers;
  }

  @Inject ProxyHandler proxy;

  /**
   * A client reading a response of 768 KiB a few KB at a time does not hold the one pooled
   * connection: the gateway reads the response off it at the integration's speed and passes it on
   * as the client reads, so another request is served at once. Before, the connection stayed with
   * the slow client for as long as it kept reading, and the other request got 503 "busy" (a few
   * hundred such clients held every connection of a real pool). The client still gets every byte,
   * and its connection takes its next request.
   */
  @Test
  void aSlowReaderDoesNotHoldTheConnectionOfAResponseTheGatewayReadsAhead() throws Exception {
    int bytes = 768 * 1024;
    try (Socket slow = new Socket()) {
      slow.setReceiveBufferSize(8 * 1024);
      slow.connect(new InetSocketAddress("127.0.0.1", gateway.getPort()));
      OutputStream out = slow.getOutputStream();
      out.write(("GET /pub/sized?bytes=" + bytes + " HTTP/1.1\r\nHost: gw\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = slow.getInputStream();
      byte[] first = new byte[4 * 1024];
      long read = in.read(first);
      Thread.sleep(300);

      long start = System.nanoTime();
      RawHttp.Response other = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.1\r\nHost: gw\r\n\r\n");
      assertThat(other.status()).as(other.body()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      assertThat(proxy.bufferedResponseBytes()).as("read ahead for the slow client").isPositive();

      byte[] rest = new byte[64 * 1024];
      String head = new String(first, 0, (int) read, StandardCharsets.ISO_8859_1);
      long body = read - (head.indexOf("\r\n\r\n") + 4);
      while (body < bytes) {
        int n = in.read(rest);
        assertThat(n).as("the rest of the body").isPositive();
        body += n;
      }
      assertThat(body).isEqualTo(bytes);
      out.write("GET /pub/x HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      slow.setSoTimeout(5_000);
      assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
    }
    assertThat(proxy.bufferedResponseBytes()).isZero();
  }

  /** A slow client leaving while the gateway holds its response ahead gives that memory back. */
  @Test
  void aSlowReaderLeavingGivesItsBufferBack() throws Exception {
    try (Socket slow = new Socket()) {
      slow.setReceiveBufferSize(8 * 1024);
      slow.connect(new InetSocketAddress("127.0.0.1", gateway.getPort()));
      slow.getOutputStream().write(("GET /pub/sized?bytes=" + (768 * 1024) + " HTTP/1.1\r\nHost: gw\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      slow.getInputStream().read(new byte[4 * 1024]);
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (proxy.bufferedResponseBytes() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(proxy.bufferedResponseBytes()).isPositive();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (proxy.bufferedResponseBytes() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(proxy.bufferedResponseBytes()).isZero();
    assertThat(RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.1\r\nHost: gw\r\n\r\n").status()).isEqualTo(200);
  }

  @Test
  void aRequestWaitingForTheBusyConnectionIsAnsweredOnceItIsFree() throws Exception {
    List<RawHttp.Response> answers = atOnce(2);
    assertThat(answers).extracting(RawHttp.Response::status).containsExactly(200, 200);
    assertThat(answers).extracting(RawHttp.Response::body).containsOnly("slow");
  }

  @Test
  void requestsThatWaitPastTheRouteTimeoutAre503BusyAndTheBreakerStaysClosed() throws Exception {
    // the first two are answered at 1.5 s and 3 s; the other six, sent together, wait 2.5 s for the
    // connection, in vain: 500 ms before it comes free
    List<RawHttp.Response> answers = atOnce(8);
    // which two get the connection depends on when each reached the pool, not on the order sent
    assertThat(answers).extracting(RawHttp.Response::status).containsExactlyInAnyOrder(200, 200, 503, 503, 503, 503,
        503, 503);
    for (RawHttp.Response busy : answers.stream().filter(a -> a.status() == 503).toList()) {
      assertThat(busy.body()).contains("integration int-pub is busy: no connection to it came free within 2500 ms");
      assertThat(busy.header("Retry-After")).isEqualTo("1");
    }
    // six waits in vain are not six failures of the integration: its breaker (5) is closed
    RawHttp.Response next = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(next.status()).as(next.body()).isEqualTo(200);
  }
}
