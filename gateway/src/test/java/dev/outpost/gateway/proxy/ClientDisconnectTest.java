package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LogCapture;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * Clients that leave with requests still to be answered, as a browser navigating away or a load
 * generator stopping do: 640 connections of 50 pipelined requests each, closed at once, half of them
 * with a reset. Their requests waited for an upstream connection behind one another; each still got
 * one and was sent to the integration although its client had gone, and each that waited longer than
 * the connect timeout counted as a connect failure of the integration: the breaker opened, and the
 * next client was refused (503, or 502 while it queued behind them) by an integration that was fine.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class ClientDisconnectTest {

  @TestHTTPResource("/")
  URL gateway;

  @Test
  void clientsLeavingWithRequestsUnansweredNeitherHoldTheUpstreamPoolNorOpenItsBreaker() throws Exception {
    byte[] pipelined = "GET /pub/x HTTP/1.1\r\nHost: gw\r\n\r\n".repeat(50).getBytes(StandardCharsets.ISO_8859_1);
    ExecutorService clients = Executors.newFixedThreadPool(64);
    List<LogRecord> logged;
    try (LogCapture capture = LogCapture.start()) {
      logged = capture.records();
      for (int round = 0; round < 10; round++) {
        boolean reset = round % 2 == 0;
        List<Future<?>> left = new java.util.ArrayList<>();
        for (int c = 0; c < 64; c++) {
          left.add(clients.submit(() -> {
            try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
              socket.getOutputStream().write(pipelined);
              Thread.sleep(2);
              if (reset) {
                socket.setSoLinger(true, 0); // an RST instead of a FIN
              }
            }
            return null;
          }));
        }
        for (Future<?> f : left) {
          f.get();
        }
      }
      Thread.sleep(500);
    } finally {
      clients.shutdownNow();
      GatewayTestEnvironment.upstream.clear();
    }
    // a request dropped before it was sent is no error of Vert.x's to log
    assertThat(logged).filteredOn(r -> r.getLevel().intValue() >= Level.SEVERE.intValue())
        .extracting(r -> r.getLoggerName() + ": " + r.getMessage())
        .noneMatch(line -> line.startsWith("io.vertx"));
    RawHttp.Response after = RawHttp.send(gateway.getPort(), "GET /pub/after HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(after.status()).as(after.body()).isEqualTo(200);
  }

  /**
   * A client that leaves while its request waits before the proxy (here for a JWKS fetch its token's
   * new key needs, 300 ms) is not sent to the integration: its DELETE must not run for nobody. The
   * proxy's own abort hook is registered after the client has gone and never runs; what stops it is
   * the proxied request failing on the closed connection before its head is written (a review read
   * the code as sending it; this holds it to what it does).
   */
  @Test
  void aRequestWhoseClientLeftWhileItWaitedForAuthenticationIsNotSent() throws Exception {
    org.jose4j.jwk.PublicJsonWebKey rotated = dev.outpost.gateway.support.Tokens.rsa("slow-2");
    GatewayTestEnvironment.jwks.publish("slow-idp", dev.outpost.gateway.support.Tokens.MAIN_KEY, rotated);
    String token = dev.outpost.gateway.support.Tokens.sign(rotated, "RS256",
        dev.outpost.gateway.support.Tokens.claims("https://idp.test/slow", "leaver", null));
    GatewayTestEnvironment.upstream.clear();
    try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
      socket.getOutputStream().write(("DELETE /jwt-slow/orders/1 HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + token
          + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      Thread.sleep(50);
    }
    assertThat(GatewayTestEnvironment.upstream.poll(1500)).as("the request sent after its client left").isNull();

    // the key was fetched all the same: the next request with it goes through
    RawHttp.Response next = RawHttp.send(gateway.getPort(), "GET /jwt-slow/orders/1 HTTP/1.1\r\nHost: gw\r\n"
        + "Authorization: Bearer " + token + "\r\n\r\n");
    assertThat(next.status()).as(next.body()).isEqualTo(200);
    GatewayTestEnvironment.upstream.clear();
  }
}
