package dev.outpost.agent.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalStatusSourceTest {
  HttpServer runtime;
  HttpServer gateway;

  static HttpServer serve(String path, String body) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(path, exchange -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return server;
  }

  static URI uri(HttpServer server) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @BeforeEach
  void start() throws Exception {
    runtime = serve("/outpost/integrations", """
        [{"name":"orders","project":"shop","version":"v2","phase":"Ready","message":null},
         {"name":"billing","project":"shop","version":"v1","phase":"Failed",
          "message":"CANARY-payload-7f3a: could not parse {card: 4111}"},
         {"name":"odd","project":"shop","version":"v1","phase":"Exploded"},
         {"name":"crm","project":"shop","version":"v3","phase":"Failed",
          "message":"CANARY-payload-9c1d: no such bean (version v2 still serves)","servingVersion":"v2"},
         {"name":"upg-u","project":"shop","version":"4","phase":"Failed",
          "message":"CANARY-payload-5e2b: Failed to create route (its previous deployment of version 4 still serves)",
          "servingVersion":"4"}]""");
    gateway = serve("/outpost/routes", "{\"revision\": 12, \"routes\": 3}");
  }

  @AfterEach
  void stop() {
    runtime.stop(0);
    gateway.stop(0);
  }

  @Test
  void readsNamesVersionsPhasesAndCountsButNeverTheMessage() {
    LocalStatusSource source = new LocalStatusSource(uri(runtime), Optional.of(uri(gateway).resolve("/outpost/routes")));
    assertThat(source.integrations().integrations()).containsExactly(
        new ObservedIntegration("orders", "v2", "Ready", 1, 1, null),
        new ObservedIntegration("billing", "v1", "Failed", 0, 1, null),
        new ObservedIntegration("odd", "v1", "Pending", 0, 1, null),
        // a failed upgrade whose previous version serves on: a replica serves, said in fixed words
        new ObservedIntegration("crm", "v3", "Failed", 1, 1, "version v2 still serves"),
        // a changed source deployed under the same version string failed: the deployment before it serves on
        new ObservedIntegration("upg-u", "4", "Failed", 1, 1, "the previous deployment of version 4 still serves"));
    assertThat(source.integrations().toString()).doesNotContain("CANARY").doesNotContain("4111");
    assertThat(source.routes()).isEqualTo(new RoutesStatus(12, 3));
  }

  @Test
  void anAnswerThatNeverEndsIsGivenUpInBoundedTimeAndMemory() throws Exception {
    HttpServer endless = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    endless.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, 0); // chunked, with no end
      byte[] chunk = ("{\"name\":\"x\",\"phase\":\"Ready\"},").repeat(30_000).getBytes(StandardCharsets.UTF_8);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write('[');
        while (true) {
          body.write(chunk);
          Thread.sleep(5);
        }
      } catch (IOException | InterruptedException gone) {
        // the agent hung up
      }
    });
    endless.start();
    try {
      LocalStatusSource source = new LocalStatusSource(uri(endless), Optional.of(uri(endless).resolve("/outpost/routes")));
      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
        assertThat(source.integrations().integrations()).isEmpty();
        assertThat(source.routes()).isEqualTo(RoutesStatus.UNKNOWN);
      });
    } finally {
      endless.stop(0);
    }
  }

  @Test
  void reportsUnknownWhenTheComponentsAreDown() {
    runtime.stop(0);
    gateway.stop(0);
    LocalStatusSource source = new LocalStatusSource(uri(runtime), Optional.of(uri(gateway).resolve("/outpost/routes")));
    assertThat(source.integrations()).isEqualTo(IntegrationsSeen.unreadable("Pending",
        "waiting for the integration runtime to answer at 127.0.0.1:" + runtime.getAddress().getPort()));
    assertThat(source.routes()).isEqualTo(RoutesStatus.UNKNOWN);
    assertThat(new LocalStatusSource(uri(runtime), Optional.empty()).routes()).isEqualTo(RoutesStatus.UNKNOWN);
  }

  /**
   * Nothing restarts a local runtime that crashed: its integrations were Ready and are not, and a
   * silent Pending read as a slow deploy.
   */
  @Test
  void aRuntimeThatStopsAnsweringAfterItDidHasItsIntegrationsFailedSayingSo() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    LocalStatusSource source = new LocalStatusSource(uri(runtime), Optional.empty(), now::get);
    IntegrationsSeen running = source.integrations();
    assertThat(running.integrations()).hasSize(5);
    int port = runtime.getAddress().getPort();
    runtime.stop(0);
    now.addAndGet(LocalStatusSource.STOPPED_AFTER_NANOS - 1);
    assertThat(source.integrations()).as("one missed answer is not a runtime gone").isEqualTo(running);
    now.addAndGet(1);
    assertThat(source.integrations()).isEqualTo(IntegrationsSeen.unreadable("Failed",
        "the integration runtime stopped answering at 127.0.0.1:" + port));
  }

  /** A runtime that never answered since the agent started (crashed, its port taken) is not a slow deploy. */
  @Test
  void aRuntimeThatNeverAnswersHasItsIntegrationsFailedAfterAWhile() {
    runtime.stop(0);
    int port = runtime.getAddress().getPort();
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(123);
    LocalStatusSource source = new LocalStatusSource(uri(runtime), Optional.empty(), now::get);
    now.addAndGet(LocalStatusSource.STOPPED_AFTER_NANOS - 1);
    assertThat(source.integrations().unseenPhase()).isEqualTo("Pending");
    now.addAndGet(1);
    assertThat(source.integrations()).isEqualTo(IntegrationsSeen.unreadable("Failed",
        "the integration runtime has not answered at 127.0.0.1:" + port + " since the agent started"));
  }

  @Test
  void theMessageNamesTheRuntimesHostAndPortNeverUserInformationItsUrlHolds() {
    runtime.stop(0);
    URI withUser = URI.create("http://agent:s3cret@127.0.0.1:" + runtime.getAddress().getPort());
    assertThat(new LocalStatusSource(withUser, Optional.empty()).integrations().unseenMessage())
        .doesNotContain("s3cret").doesNotContain("agent:").endsWith("127.0.0.1:" + runtime.getAddress().getPort());
  }
}
