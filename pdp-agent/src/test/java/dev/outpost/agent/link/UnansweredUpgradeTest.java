package dev.outpost.agent.link;

import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.signature.Ed25519Keys;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A control plane (or a proxy in front of it) that takes the TCP connection and never answers the upgrade. */
class UnansweredUpgradeTest {
  @TempDir Path home;

  @Test
  void anUpgradeLeftUnansweredIsAbandonedAndTheAgentDialsAgain() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            accepted.add(server.accept()); // kept open, never read from, never answered
          } catch (IOException closed) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String url = "ws://127.0.0.1:" + server.getLocalPort() + "/v1/connect";
      try (AgentHarness agent = new AgentHarness(vertx, home, url, Ed25519Keys.generate().getPublic(),
          Duration.ofMillis(300), Duration.ofMillis(1200)).start()) {
        await(() -> accepted.size() >= 2, "a new attempt after the first upgrade went unanswered");
        assertThat(agent.link.connected()).isFalse();
      }
    } finally {
      for (Socket socket : accepted) {
        socket.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
