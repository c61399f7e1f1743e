package dev.outpost.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.TestRoutes;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Route tables replaced under load: every request in flight succeeds, new routes appear, the status endpoint follows. */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class RouteReloadTest {

  @TestHTTPResource("/")
  URL gateway;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void noRequestFailsWhileTheTableIsReplaced() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Thread> load = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/pub/load")).build();
        while (running.get()) {
          try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
              ok.incrementAndGet();
            } else {
              failures.add(r.statusCode() + " " + r.body());
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      });
      thread.start();
      load.add(thread);
    }
    try {
      for (int i = 0; i < 10; i++) {
        int before = ok.get();
        long revision = GatewayTestEnvironment.writeRoutes(List.of(TestRoutes.publicRoute("new-" + i, "/new-" + i, true)));
        awaitRevision(revision);
        // the load goes on across every swap, however fast the swaps and slow the requests on this machine
        long deadline = System.currentTimeMillis() + 10_000;
        while (ok.get() < before + 20 && failures.isEmpty()) {
          assertThat(System.currentTimeMillis()).as("20 requests answered across reload %d", i).isLessThan(deadline);
          Thread.sleep(5);
        }
        HttpResponse<String> fresh = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/new-" + i + "/x")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(fresh.statusCode()).isEqualTo(200);
      }
    } finally {
      running.set(false);
      for (Thread thread : load) {
        thread.join();
      }
    }
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThanOrEqualTo(200);
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/new-3/x")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).as("routes dropped from the table are gone").isEqualTo(404);
  }

  @Test
  void aBrokenFileLeavesTheTableInUse() throws Exception {
    long revision = GatewayTestEnvironment.writeRoutes(List.of());
    awaitRevision(revision);
    Files.writeString(GatewayTestEnvironment.home.resolve("state/routes.json"), "{\"revision\": 99999, \"routes\": [");
    Thread.sleep(400);
    assertThat(statusBody()).contains("\"revision\":" + revision);
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/pub/x")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    awaitRevision(GatewayTestEnvironment.writeRoutes(List.of()));
  }

  private String statusBody() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management.getPort() + "/outpost/routes")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private void awaitRevision(long revision) throws Exception {
    long deadline = System.currentTimeMillis() + 5000;
    while (!statusBody().contains("\"revision\":" + revision + ",")) {
      assertThat(System.currentTimeMillis()).as("revision %d applied", revision).isLessThan(deadline);
      Thread.sleep(20);
    }
    assertThat(statusBody()).contains("\"routes\":");
  }
}
