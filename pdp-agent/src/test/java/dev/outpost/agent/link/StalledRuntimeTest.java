package dev.outpost.agent.link;

import static dev.outpost.agent.TestStates.state;
import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.agent.status.LocalStatusSource;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime whose management port sends the headers of its status and then stalls (a process
 * stuck in garbage collection, a half-dead socket): status is observed on the thread that applies
 * snapshots, so the agent must give up on it and keep applying what the control plane sends.
 */
class StalledRuntimeTest {
  static final SnapshotSigner SIGNER = new SnapshotSigner(Ed25519Keys.generate());
  @TempDir Path home;

  @Test
  void aRuntimeThatStallsMidAnswerDoesNotStopSnapshotsFromApplying() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HttpServer runtime = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    runtime.setExecutor(Executors.newCachedThreadPool());
    runtime.createContext("/outpost/integrations", exchange -> {
      exchange.sendResponseHeaders(200, 1000);
      exchange.getResponseBody().write("[{\"name\":".getBytes(StandardCharsets.UTF_8));
      exchange.getResponseBody().flush();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    runtime.start();
    URI runtimeUri = URI.create("http://127.0.0.1:" + runtime.getAddress().getPort());
    Vertx vertx = Vertx.vertx();
    try (TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start();
        AgentHarness agent = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(),
            Duration.ofMillis(300), Duration.ofMillis(1200), null, null,
            new LocalStatusSource(runtimeUri, Optional.empty()))) {
      agent.start();
      await(cp::connected, "the agent connects");

      cp.sendSigned(state(1, "orders"));
      cp.awaitMessage(Ack.class, a -> a.revision() == 1);
      cp.sendSigned(state(2, "orders", "billing"));
      cp.awaitMessage(Ack.class, a -> a.revision() == 2);
      assertThat(agent.running()).containsKeys("integrations/orders.json", "integrations/billing.json");
      Status status = cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 2);
      assertThat(status.integrations()).extracting(Status.IntegrationStatus::phase).containsOnly("Pending");
      assertThat(status.integrations()).extracting(Status.IntegrationStatus::message)
          .containsOnly("waiting for the integration runtime to answer at 127.0.0.1:" + runtime.getAddress().getPort());
    } finally {
      release.countDown();
      runtime.stop(0);
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
