package dev.outpost.agent.link;

import static dev.outpost.agent.TestStates.state;
import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.RestoreThenConnect;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.state.StateCodec;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Static stability: an agent restarted while the control plane is down keeps enforcing the last state. */
class AgentRestartTest {
  static final SnapshotSigner SIGNER = new SnapshotSigner(Ed25519Keys.generate());
  @TempDir Path home;

  @Test
  void aRestartedAgentWithoutControlPlaneRestoresAndEnforcesTheAppliedSnapshot() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start();
      String url = cp.url();
      Map<String, String> applied;
      try (AgentHarness first = new AgentHarness(vertx, home, url, SIGNER.keys().getPublic(),
          Duration.ofMillis(300), Duration.ofMillis(1200)).start()) {
        await(cp::connected, "the first agent connects");
        cp.sendSigned(state(3, "orders", "billing"));
        cp.awaitMessage(Ack.class, a -> a.revision() == 3);
        applied = first.running();
      }
      cp.stop();

      // while it was down, someone tampered with what runs
      Files.writeString(home.resolve("state/integrations/orders.json"), "{}");
      Files.delete(home.resolve("state/integrations/billing.json"));

      try (AgentHarness second = new AgentHarness(vertx, home, url, SIGNER.keys().getPublic(),
          Duration.ofMillis(300), Duration.ofMillis(1200)).start()) {
        assertThat(second.running()).isEqualTo(applied);
        assertThat(second.keeper.lastAppliedRevision()).isEqualTo(3);

        cp.received.clear();
        cp.start();
        Hello hello = cp.awaitMessage(Hello.class, h -> true);
        assertThat(hello.lastAppliedRevision()).as("a reconnect does not ask for what already runs").isEqualTo(3);
      }
      cp.stop();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void afterAKeyRotationTheAgentRestoresItsSnapshotWithOnlyTheNewKeyPinned() throws Exception {
    SnapshotSigner rotated = new SnapshotSigner(Ed25519Keys.generate());
    Vertx vertx = Vertx.vertx();
    try (TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start()) {
      try (AgentHarness first = pinning(vertx, cp, SIGNER, rotated)) {
        await(cp::connected, "the agent connects");
        cp.sendSigned(state(3, "orders"));
        cp.awaitMessage(Ack.class, a -> a.revision() == 3);
        // the control plane switched keys and sends what runs again under the new one (PROTOCOL.md section 4)
        cp.send(Snapshot.signed(StateCodec.toTree(state(3, "orders")), rotated));
        await(() -> cp.messages(Ack.class).size() == 2, "the redelivery is acked");
      }
      cp.stop();

      // the operator unpins the old key; the control plane is down when the agent restarts
      try (AgentHarness second = pinning(vertx, cp, rotated)) {
        assertThat(second.keeper.lastAppliedRevision()).isEqualTo(3);
        assertThat(second.keeper.desired()).isPresent();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /**
   * The stored snapshot, refused at restore because its key has since been unpinned (no redelivery
   * re-signed it), still keeps older revisions out: with nothing enforced, revision 0 was the floor
   * and any older validly signed snapshot could be replayed (PROTOCOL.md section 6.2).
   */
  @Test
  void aStoredSnapshotRefusedAtRestoreStillKeepsOlderRevisionsOut() throws Exception {
    SnapshotSigner rotated = new SnapshotSigner(Ed25519Keys.generate());
    Vertx vertx = Vertx.vertx();
    try (TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start()) {
      try (AgentHarness first = pinning(vertx, cp, SIGNER, rotated)) {
        await(cp::connected, "the agent connects");
        cp.sendSigned(state(5, "orders"));
        cp.awaitMessage(Ack.class, a -> a.revision() == 5);
      }
      cp.stop();

      try (AgentHarness second = pinning(vertx, cp, rotated)) {
        assertThat(second.keeper.lastAppliedRevision()).as("the stored snapshot's key is no longer pinned").isZero();
        cp.received.clear();
        cp.start();
        await(cp::connected, "the agent connects again");
        cp.send(Snapshot.signed(StateCodec.toTree(state(3, "orders", "replayed")), rotated));
        assertThat(cp.awaitMessage(dev.outpost.spec.protocol.Nack.class, n -> n.revision() == 3)).isNotNull();
        assertThat(second.running()).doesNotContainKey("integrations/replayed.json");
        cp.send(Snapshot.signed(StateCodec.toTree(state(5, "orders")), rotated));
        cp.awaitMessage(Ack.class, a -> a.revision() == 5);
        assertThat(second.keeper.lastAppliedRevision()).as("the stored revision itself, signed again, is taken").isEqualTo(5);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** Stores {@code state}, signed by the control plane's key, as the snapshot the agent applied last. */
  private void storeApplied(com.fasterxml.jackson.databind.node.ObjectNode state) throws java.io.IOException {
    Files.createDirectories(home.resolve("agent"));
    Files.writeString(home.resolve("agent/applied.json"),
        dev.outpost.spec.protocol.ProtocolCodec.encode(Snapshot.signed(state, SIGNER)));
  }

  /**
   * The frame's revision is not what the signature covers: a stored frame whose revision was changed
   * (a bit flipped, an edit) was refused, and that unsigned number became the floor, so the control
   * plane's real next revisions were refused for good. The floor is the revision signed for.
   */
  @Test
  void aStoredFramesUnsignedRevisionIsNoFloorAboveTheSignedOne() throws Exception {
    storeApplied((com.fasterxml.jackson.databind.node.ObjectNode) StateCodec.toTree(state(5, "orders")));
    Path applied = home.resolve("agent/applied.json");
    String frame = Files.readString(applied);
    assertThat(frame).startsWith("{\"type\":\"snapshot\",\"revision\":5,");
    Files.writeString(applied, frame.replaceFirst("\"revision\":5,", "\"revision\":9005,"));
    Vertx vertx = Vertx.vertx();
    try (TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start();
        AgentHarness agent = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(),
            Duration.ofMillis(300), Duration.ofMillis(1200)).start()) {
      assertThat(agent.keeper.lastAppliedRevision()).as("the edited frame is not enforced").isZero();
      await(cp::connected, "the agent connects");
      cp.sendSigned(state(4, "orders", "replayed"));
      assertThat(cp.awaitMessage(dev.outpost.spec.protocol.Nack.class, n -> n.revision() == 4)).isNotNull();
      cp.sendSigned(state(6, "orders"));
      cp.awaitMessage(Ack.class, a -> a.revision() == 6);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /**
   * A state whose revision was damaged breaks the signature: that number is not signed either, so
   * the frame's stays the floor (the state's lower one reopened revisions to replay).
   */
  @Test
  void aDamagedStateRevisionLowersNoFloor() throws Exception {
    storeApplied((com.fasterxml.jackson.databind.node.ObjectNode) StateCodec.toTree(state(10, "orders")));
    Path applied = home.resolve("agent/applied.json");
    String frame = Files.readString(applied);
    int inState = frame.indexOf("\"revision\":10", frame.indexOf("\"state\""));
    assertThat(inState).isPositive();
    Files.writeString(applied, frame.substring(0, inState) + "\"revision\":4" + frame.substring(inState + 13));
    Vertx vertx = Vertx.vertx();
    try (TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start();
        AgentHarness agent = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(),
            Duration.ofMillis(300), Duration.ofMillis(1200)).start()) {
      await(cp::connected, "the agent connects");
      cp.sendSigned(state(5, "orders", "replayed"));
      assertThat(cp.awaitMessage(dev.outpost.spec.protocol.Nack.class, n -> n.revision() == 5)).isNotNull();
      assertThat(agent.running()).doesNotContainKey("integrations/replayed.json");
      cp.sendSigned(state(10, "orders"));
      cp.awaitMessage(Ack.class, a -> a.revision() == 10);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** A stored snapshot of another data plane (this one registered anew, its revisions reset) is no floor. */
  @Test
  void aStoredSnapshotOfAnotherDataPlaneIsNoFloor() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode foreign =
        (com.fasterxml.jackson.databind.node.ObjectNode) StateCodec.toTree(state(300, "orders"));
    foreign.put("dataPlane", "old-registration");
    storeApplied(foreign);
    Vertx vertx = Vertx.vertx();
    try (TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start();
        AgentHarness agent = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(),
            Duration.ofMillis(300), Duration.ofMillis(1200)).start()) {
      await(cp::connected, "the agent connects");
      cp.sendSigned(state(3, "orders"));
      cp.awaitMessage(Ack.class, a -> a.revision() == 3);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /**
   * A stored snapshot whose signature verifies but which this agent's validation refuses (a rule
   * added since it was applied: YAML aliases in a source, say) still keeps older revisions out.
   * Before, only a refusal for the signature kept its revision as a floor, so after such an agent
   * upgrade any older signed revision was applied, and pruned what it did not name.
   */
  @Test
  void aStoredSnapshotTheValidationNowRefusesStillKeepsOlderRevisionsOut() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode stored =
        (com.fasterxml.jackson.databind.node.ObjectNode) StateCodec.toTree(state(10, "orders"));
    com.fasterxml.jackson.databind.node.ObjectNode integration =
        (com.fasterxml.jackson.databind.node.ObjectNode) stored.withArray("integrations").get(0);
    integration.put("source", "- from: &in\n    uri: platform-http:/orders\n- from: *in\n");
    storeApplied(stored);
    Vertx vertx = Vertx.vertx();
    try (TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start();
        AgentHarness agent = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(),
            Duration.ofMillis(300), Duration.ofMillis(1200)).start()) {
      assertThat(agent.keeper.lastAppliedRevision()).as("the stored snapshot is not enforced").isZero();
      await(cp::connected, "the agent connects");
      cp.sendSigned(state(3, "orders", "replayed"));
      assertThat(cp.awaitMessage(dev.outpost.spec.protocol.Nack.class, n -> n.revision() == 3)).isNotNull();
      assertThat(agent.running()).doesNotContainKey("integrations/replayed.json");
      cp.sendSigned(state(10, "orders"));
      cp.awaitMessage(Ack.class, a -> a.revision() == 10);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void aTamperedAppliedSnapshotIsNotRestored() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start();
      try (AgentHarness first = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(),
          Duration.ofMillis(300), Duration.ofMillis(1200)).start()) {
        await(cp::connected, "the agent connects");
        cp.sendSigned(state(1, "orders"));
        cp.awaitMessage(Ack.class, a -> a.revision() == 1);
      }
      cp.stop();
      Path applied = home.resolve("agent/applied.json");
      Files.writeString(applied, Files.readString(applied).replace("platform-http:/orders", "platform-http:/evil"));
      Files.writeString(home.resolve("state/integrations/orders.json"), "{\"changed\": \"by hand\"}");
      Map<String, String> before = AgentHarness.running(home);
      try (AgentHarness second = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(),
          Duration.ofMillis(300), Duration.ofMillis(1200)).start()) {
        assertThat(second.keeper.lastAppliedRevision()).isZero();
        assertThat(second.running()).isEqualTo(before);
        assertThat(second.running().get("integrations/orders.json")).doesNotContain("evil");
        assertThat(second.keeper.desired()).isEmpty();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void anAppliedSnapshotFileOfBinaryGarbageIsRefusedAndTheAgentConnects() throws Exception {
    Vertx vertx = Vertx.vertx();
    ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    try {
      TestControlPlane cp = new TestControlPlane(vertx, SIGNER).start();
      Files.createDirectories(home.resolve("agent"));
      Files.write(home.resolve("agent/applied.json"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, '{', (byte) 0xc3});
      try (AgentHarness agent = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(),
          Duration.ofMillis(300), Duration.ofMillis(1200))) {
        new RestoreThenConnect(agent.keeper, agent.link, worker, Duration.ofMillis(200)).start();
        Hello hello = cp.awaitMessage(Hello.class, h -> true);
        assertThat(hello.lastAppliedRevision()).isZero();
        cp.sendSigned(state(1, "orders"));
        cp.awaitMessage(Ack.class, a -> a.revision() == 1);
      }
      cp.stop();
    } finally {
      worker.shutdownNow();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** A started agent in {@code home} that trusts snapshots signed by {@code signers}. */
  private AgentHarness pinning(Vertx vertx, TestControlPlane cp, SnapshotSigner... signers) throws Exception {
    return new AgentHarness(vertx, home, cp.url(), java.util.Arrays.stream(signers).map(s -> s.keys().getPublic()).toList(),
        Duration.ofMillis(300), Duration.ofMillis(1200), null, null, null).start();
  }
}
