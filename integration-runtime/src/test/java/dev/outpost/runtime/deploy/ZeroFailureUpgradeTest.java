package dev.outpost.runtime.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Upgrades an integration ten times while clients call it in a loop: no call may fail. */
@QuarkusTest
class ZeroFailureUpgradeTest {

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  static String version(int n, String backend) {
    return """
        - route:
            id: steady-in
            from:
              uri: platform-http:/steady
              steps:
                - to: direct:call
                - setBody:
                    constant: "v%d"
        - route:
            id: steady-call
            from:
              uri: direct:call
              steps:
                - to: %s/slow
        """.formatted(n, backend);
  }

  @Test
  void upgradesUnderLoadFailNoRequest() throws Exception {
    try (Backend backend = Backend.start(r -> {
      sleep(3);
      return new Backend.Reply(200, "text/plain", "ok");
    })) {
      Integrations.put(management, Integrations.of("steady", "1", version(1, backend.url()))).then().statusCode(200);
      HttpClient client = HttpClient.newHttpClient();
      URI target = URI.create(Integrations.base(http) + "steady");
      AtomicBoolean running = new AtomicBoolean(true);
      List<String> failures = new CopyOnWriteArrayList<>();
      Map<String, AtomicInteger> bodies = new ConcurrentHashMap<>();
      List<Thread> clients = List.of(1, 2, 3, 4).stream().map(i -> new Thread(() -> {
        while (running.get()) {
          try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(target).build(),
                HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
              failures.add(response.statusCode() + " " + response.body());
            } else {
              bodies.computeIfAbsent(response.body(), b -> new AtomicInteger()).incrementAndGet();
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      })).toList();
      clients.forEach(Thread::start);
      // the first version answers before the upgrades begin, however slow the clients' start
      long answered = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!bodies.containsKey("v1") && failures.isEmpty() && System.nanoTime() < answered) {
        Thread.sleep(20);
      }
      for (int n = 2; n <= 11; n++) {
        Integrations.put(management, Integrations.of("steady", String.valueOf(n), version(n, backend.url())))
            .then().statusCode(200);
        Thread.sleep(50);
      }
      // the last version answers at least once before the load stops (requests may take longer than
      // the pauses between upgrades on a loaded machine)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!bodies.containsKey("v11") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      running.set(false);
      for (Thread t : clients) {
        t.join(10_000);
      }
      int calls = bodies.values().stream().mapToInt(AtomicInteger::get).sum();
      assertThat(failures).as("failed calls during 10 upgrades out of %d", calls).isEmpty();
      assertThat(calls).isGreaterThan(40);
      assertThat(bodies.keySet()).contains("v1", "v11").allMatch(b -> b.matches("v([1-9]|1[01])"));
      Integrations.delete(management, "steady").then().statusCode(204);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
