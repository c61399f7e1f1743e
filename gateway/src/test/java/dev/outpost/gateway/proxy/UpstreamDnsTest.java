package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Upstreams by name, as in Kubernetes ({@code int-X.<namespace>.svc}): the gateway asks the DNS
 * server it is configured with ({@code quarkus.vertx.resolver.servers}, else the system's), and a
 * slow answer holds back only the requests that wait for it. Resolved with the JDK's resolver (Quarkus'
 * default), a lookup blocked its event loop, and every exchange on it, until DNS answered.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class UpstreamDnsTest {

  @TestHTTPResource
  URL gateway;

  @Test
  void anUpstreamNamedIsResolvedThroughTheConfiguredDnsServer() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /named/orders HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("upstream /named/orders");
  }

  @Test
  void whileDnsIsSlowToAnswerOneNameEveryOtherExchangeGoesOn() throws Exception {
    GatewayTestEnvironment.dns.hold("held.outpost.test");
    List<CompletableFuture<RawHttp.Response>> waiting = new ArrayList<>();
    // twice as many connections as the gateway has event loops (Quarkus' default): each loop has a lookup to wait for
    int connections = 2 * 2 * Runtime.getRuntime().availableProcessors();
    ExecutorService clients = Executors.newFixedThreadPool(connections);
    try {
      for (int i = 0; i < connections; i++) {
        String request = "GET /held/" + i + " HTTP/1.1\r\nHost: gw\r\n\r\n";
        waiting.add(CompletableFuture.supplyAsync(() -> send(request), clients));
      }
      assertThat(GatewayTestEnvironment.dns.asked("held.outpost.test", 5000)).as("the gateway asked the DNS server").isTrue();
      for (int i = 0; i < 8; i++) {
        RawHttp.Response other = RawHttp.send(gateway.getPort(), "GET /pub/during-" + i + " HTTP/1.1\r\nHost: gw\r\n\r\n");
        assertThat(other.status()).as("answered while the lookup waits").isEqualTo(200);
      }
      assertThat(waiting).as("no answer before DNS's").noneMatch(CompletableFuture::isDone);
    } finally {
      GatewayTestEnvironment.dns.release("held.outpost.test");
    }
    try {
      for (CompletableFuture<RawHttp.Response> response : waiting) {
        assertThat(response.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  private RawHttp.Response send(String request) {
    try {
      return RawHttp.send(gateway.getPort(), request);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
