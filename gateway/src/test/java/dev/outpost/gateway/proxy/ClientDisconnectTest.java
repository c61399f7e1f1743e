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
}
