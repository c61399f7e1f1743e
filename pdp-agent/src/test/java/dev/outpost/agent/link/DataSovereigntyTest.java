package dev.outpost.agent.link;

import static dev.outpost.agent.TestStates.integration;
import static dev.outpost.agent.TestStates.state;
import static dev.outpost.agent.TestStates.withSecret;
import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Nack;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary test: data the agent can see — what the runtime reports about failing payloads, secret
 * values, log files beside the state — carries unique canaries, and every frame the agent sends to
 * the control plane (captured at the control plane) is searched for them.
 */
class DataSovereigntyTest {
  static final SnapshotSigner SIGNER = new SnapshotSigner(Ed25519Keys.generate());
  @TempDir Path home;

  @Test
  void noCanaryEverReachesTheControlPlane() throws Exception {
    String payloadCanary = "CANARY-PAYLOAD-" + UUID.randomUUID();
    String logCanary = "CANARY-LOG-" + UUID.randomUUID();
    String secretCanary = "CANARY-SECRET-" + UUID.randomUUID();
    List<String> canaries = List.of(payloadCanary, logCanary, secretCanary);

    Files.createDirectories(home.resolve("secrets/crm"));
    Files.writeString(home.resolve("secrets/crm/token"), secretCanary);
    Files.createDirectories(home.resolve("logs"));
    Files.writeString(home.resolve("logs/integration-runtime.log"), "ERROR processing order: " + logCanary);

    Vertx vertx = Vertx.vertx();
    try (TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start();
        AgentHarness agent = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(),
            Duration.ofMillis(200), Duration.ofMillis(800))) {
      agent.runtimeStatus = """
          [{"name":"orders","project":"shop","version":"v1","phase":"Failed",
            "message":"could not parse body {\\"card\\":\\"%s\\"}: %s",
            "lastPayload":"%s","readyReplicas":0}]""".formatted(payloadCanary, logCanary, payloadCanary);
      agent.start();
      await(cp::connected, "the agent connects");

      cp.sendSigned(state(1, withSecret(integration("orders"), "crm", "token")));
      cp.awaitMessage(Ack.class, a -> a.revision() == 1);
      Status failed = cp.awaitMessage(Status.class, s -> s.integrations().stream().anyMatch(i -> "Failed".equals(i.phase())));
      assertThat(failed.integrations().get(0).message()).isNull();

      // a rejected snapshot and an apply failure produce nacks: they must not carry data either
      cp.sendSigned(state(2, withSecret(integration("orders", "v2"), "crm", "missing-key")));
      cp.awaitMessage(Nack.class, n -> n.revision() == 2);
      agent.runtimeStatus = agent.runtimeStatus.replace("\"v1\"", "\"v1-" + payloadCanary.length() + "\"");
      agent.link.reportStatus();
      Thread.sleep(1000); // several pings, pongs and a status heartbeat

      assertThat(cp.received).isNotEmpty();
      for (String frame : cp.received) {
        for (String canary : canaries) {
          assertThat(frame).as("a frame the agent sent").doesNotContain(canary);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
