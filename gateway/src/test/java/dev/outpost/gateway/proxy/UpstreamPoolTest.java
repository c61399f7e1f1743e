package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
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
      Thread.sleep(50); // most likely in this order at the pool
    }
    List<RawHttp.Response> answers = new ArrayList<>();
    for (CompletableFuture<RawHttp.Response> f : sent) {
      answers.add(f.get());
    }
    return answers;
  }

  @Test
  void aRequestWaitingForTheBusyConnectionIsAnsweredOnceItIsFree() throws Exception {
    List<RawHttp.Response> answers = atOnce(2);
    assertThat(answers).extracting(RawHttp.Response::status).containsExactly(200, 200);
    assertThat(answers).extracting(RawHttp.Response::body).containsOnly("slow");
  }

  @Test
  void requestsThatWaitPastTheRouteTimeoutAre503BusyAndTheBreakerStaysClosed() throws Exception {
    // the first two are answered at 1.5 s and 3 s; the other six wait 2.5 s for the connection, in vain
    List<RawHttp.Response> answers = atOnce(8);
    // which two get the connection depends on when each reached the pool, not on the order sent
    assertThat(answers).extracting(RawHttp.Response::status).containsExactlyInAnyOrder(200, 200, 503, 503, 503, 503,
        503, 503);
    for (RawHttp.Response busy : answers.stream().filter(a -> a.status() == 503).toList()) {
      assertThat(busy.status()).isEqualTo(503);
      assertThat(busy.body()).contains("integration int-pub is busy: no connection to it came free within 2500 ms");
      assertThat(busy.header("Retry-After")).isEqualTo("1");
    }
    // six waits in vain are not six failures of the integration: its breaker (5) is closed
    RawHttp.Response next = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(next.status()).as(next.body()).isEqualTo(200);
  }
}
