package dev.outpost.agent.link;

import static dev.outpost.agent.TestStates.integration;
import static dev.outpost.agent.TestStates.state;
import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.agent.TestStates;
import dev.outpost.agent.audit.AuditEvent;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.protocol.Nack;
import dev.outpost.spec.protocol.Ping;
import dev.outpost.spec.protocol.Pong;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.state.StateCodec;
import dev.outpost.spec.testing.LogLines;
import dev.outpost.spec.testing.RawWebSocket;
import dev.outpost.spec.testing.ThrottledLink;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ControlPlaneLinkTest {
  static final Duration PING = Duration.ofMillis(300);
  /**
   * The liveness timeout of the agents that tests of liveness watch, each on a control plane of its
   * own: short, so that those tests are quick.
   */
  static final Duration LIVENESS = Duration.ofMillis(1200);
  /**
   * The liveness timeout of the agent every test starts with, whose subject is not liveness: a stall
   * of the JVM or of the shared Vert.x (a loaded CI machine, a snapshot of megabytes on its loop)
   * longer than a short timeout dropped the connection, and the "same connection" checks failed.
   */
  static final Duration STEADY_LIVENESS = Duration.ofSeconds(30);
  static final SnapshotSigner SIGNER = new SnapshotSigner(Ed25519Keys.generate());
  static final SnapshotSigner STRANGER = new SnapshotSigner(Ed25519Keys.generate());

  @TempDir Path home;
  Vertx vertx;
  TestControlPlane cp;
  AgentHarness agent;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    cp = new TestControlPlane(vertx, SIGNER).start();
    agent = new AgentHarness(vertx, home, cp.url(), SIGNER.keys().getPublic(), PING, STEADY_LIVENESS).start();
    await(cp::connected, "the agent connects");
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
    cp.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  Ack awaitAck(long revision) throws InterruptedException {
    return cp.awaitMessage(Ack.class, a -> a.revision() == revision);
  }

  /** A second agent, connected to {@code controlPlaneUrl}, that drops a connection silent for {@link #LIVENESS}. */
  AgentHarness agentWithShortLiveness(String controlPlaneUrl) throws Exception {
    return new AgentHarness(vertx, Files.createDirectories(home.resolve("second")), controlPlaneUrl,
        SIGNER.keys().getPublic(), PING, LIVENESS).start();
  }

  @Test
  void connectsWithTheBearerTokenSaysHelloAppliesAndAcks() throws Exception {
    Hello hello = cp.awaitMessage(Hello.class, h -> true);
    assertThat(hello.lastAppliedRevision()).isZero();
    assertThat(hello.dataPlane()).isEqualTo(TestStates.DATA_PLANE);
    assertThat(hello.protocol()).isEqualTo(1);

    cp.sendSigned(state(1, "orders", "billing"));
    awaitAck(1);
    assertThat(agent.running()).containsKeys("routes.json", "integrations/orders.json", "integrations/billing.json");
    assertThat(home.resolve("agent/applied.json")).exists();
    assertThat(agent.audit).extracting(AuditEvent::eventName).containsExactly(AuditEvent.ACCEPTED);
    Status status = cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 1);
    assertThat(status.integrations()).extracting(Status.IntegrationStatus::name).containsExactly("orders", "billing");
  }

  /** Snapshots that must be refused, and the path the nack must name. */
  static Stream<Arguments> refusedSnapshots() {
    DataPlaneState next = state(3, "orders", "extra");
    ObjectNode signedTree = (ObjectNode) StateCodec.toTree(next);
    return Stream.of(
        Arguments.of("unsigned", (Consumer<TestControlPlane>) cp ->
            cp.send(new Snapshot(3, StateCodec.toTree(next), null)), "signature"),
        Arguments.of("signed with another key", (Consumer<TestControlPlane>) cp ->
            cp.send(Snapshot.signed(StateCodec.toTree(next), STRANGER)), "signature"),
        Arguments.of("signature of another state", (Consumer<TestControlPlane>) cp -> {
          Snapshot genuine = Snapshot.signed(signedTree, SIGNER);
          ObjectNode tampered = signedTree.deepCopy();
          tampered.withArray("integrations").remove(1);
          cp.send(new Snapshot(3, tampered, genuine.signature()));
        }, "signature"),
        Arguments.of("missing state", (Consumer<TestControlPlane>) cp ->
            cp.sendRaw("{\"type\":\"snapshot\",\"revision\":3}"), "state"),
        Arguments.of("invalid state, validly signed", (Consumer<TestControlPlane>) cp -> {
          ObjectNode invalid = signedTree.deepCopy();
          ((ObjectNode) invalid.withArray("routes").get(0).get("match")).put("pathPrefix", "no-slash");
          cp.send(Snapshot.signed(invalid, SIGNER));
        }, "state.routes[0].match.pathPrefix"),
        Arguments.of("older revision, validly signed", (Consumer<TestControlPlane>) cp ->
            cp.sendSigned(state(1, "orders")), "revision"),
        // the signature comes before the revision: an ack would tell the control plane its new key is trusted
        Arguments.of("the applied state again, signed with another key", (Consumer<TestControlPlane>) cp ->
            cp.send(Snapshot.signed(StateCodec.toTree(state(2, "orders")), STRANGER)), "signature"),
        Arguments.of("the applied state again, unsigned", (Consumer<TestControlPlane>) cp ->
            cp.send(new Snapshot(2, StateCodec.toTree(state(2, "orders")), null)), "signature"),
        Arguments.of("for another data plane", (Consumer<TestControlPlane>) cp -> {
          ObjectNode other = signedTree.deepCopy();
          other.put("dataPlane", "someone-else");
          cp.send(Snapshot.signed(other, SIGNER));
        }, "state.dataPlane"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSnapshots")
  void refusesWithANackAndChangesNothing(String name, Consumer<TestControlPlane> send, String path) throws Exception {
    cp.sendSigned(state(2, "orders"));
    awaitAck(2);
    Map<String, String> before = agent.running();
    String appliedBefore = Files.readString(home.resolve("agent/applied.json"));

    send.accept(cp);
    Nack nack = cp.awaitMessage(Nack.class, n -> true);
    assertThat(nack.errors()).isNotEmpty();
    assertThat(nack.errors()).anyMatch(e -> e.path().startsWith(path));
    assertThat(agent.running()).isEqualTo(before);
    assertThat(Files.readString(home.resolve("agent/applied.json"))).isEqualTo(appliedBefore);
    assertThat(agent.keeper.lastAppliedRevision()).isEqualTo(2);
    assertThat(agent.audit).extracting(AuditEvent::eventName).containsExactly(AuditEvent.ACCEPTED, AuditEvent.REJECTED);
  }

  @Test
  void aFrameThatIsNotJsonIsIgnoredAndTheConnectionStays() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    Map<String, String> before = agent.running();
    int connections = cp.connections.get();
    cp.sendRaw("{\"type\":\"snapshot\", revision");
    cp.sendRaw("\u0000 not json at all");
    cp.sendSigned(state(2, "orders", "billing"));
    awaitAck(2);
    assertThat(cp.messages(Nack.class)).isEmpty();
    assertThat(cp.connections.get()).isEqualTo(connections);
    assertThat(agent.running()).isNotEqualTo(before).containsKey("integrations/billing.json");
  }

  @Test
  void aFloodOfMalformedOrMisdirectedFramesIsLoggedOnceEachAndTheLinkKeepsWorking() throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(record.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    var log = java.util.logging.Logger.getLogger(ControlPlaneLink.class.getName());
    log.addHandler(capture);
    try {
      cp.sendSigned(state(1, "orders"));
      awaitAck(1);
      int connections = cp.connections.get();
      for (int i = 0; i < 2000; i++) {
        cp.sendRaw("\u0000 not json " + i);
        cp.send(new Ack(i + 1));
      }
      // frames are read in order: once revision 2 is acknowledged, the flood has been read
      cp.sendSigned(state(2, "orders", "billing"));
      awaitAck(2);

      assertThat(warnings).filteredOn(w -> w.contains("malformed frame")).singleElement()
          .satisfies(w -> assertThat(w).contains("ignored a malformed frame from the control plane"));
      assertThat(warnings).filteredOn(w -> w.contains("ignored a ack frame")).hasSize(1);
      assertThat(cp.connections.get()).isEqualTo(connections);
      assertThat(agent.running()).containsKey("integrations/billing.json");
    } finally {
      log.removeHandler(capture);
    }
  }

  @Test
  void anApplyThatFailsIsNackedNotPersistedAndReportedAsAttempted() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    String appliedBefore = Files.readString(home.resolve("agent/applied.json"));

    cp.sendSigned(state(2, TestStates.withSecret(integration("orders", "v2"), "crm", "token")));
    Nack nack = cp.awaitMessage(Nack.class, n -> n.revision() == 2);
    assertThat(nack.errors()).singleElement().satisfies(e -> {
      assertThat(e.path()).isEmpty();
      assertThat(e.message()).contains("check-secrets").contains("crm/token").contains("revision 1 was put back")
          .endsWith("tried again in 200 ms unless a newer revision comes");
    });
    assertThat(Files.readString(home.resolve("agent/applied.json"))).isEqualTo(appliedBefore);
    assertThat(agent.keeper.lastAppliedRevision()).isEqualTo(1);
    Status status = cp.awaitMessage(Status.class, s -> s.lastAttemptedRevision() == 2);
    assertThat(status.lastAppliedRevision()).isEqualTo(1);
    assertThat(agent.running().get("integrations/orders.json")).contains("\"version\" : \"v1\"");
    assertThat(agent.keeper.applyFailure()).hasValueSatisfying(f -> {
      assertThat(f.revision()).isEqualTo(2);
      assertThat(f.failedStep()).isEqualTo("check-secrets");
      assertThat(f.nextAttemptAt()).isPresent();
    });
  }

  /** Revision 1 applied, then revision 2, which needs Secret crm/token, which is not there: nacked. */
  private Nack revisionTwoNackedForAMissingSecret() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    cp.sendSigned(state(2, TestStates.withSecret(integration("orders", "v2"), "crm", "token")));
    return cp.awaitMessage(Nack.class, n -> n.revision() == 2);
  }

  private void createTheMissingSecret() throws java.io.IOException {
    Files.createDirectories(home.resolve("secrets/crm"));
    Files.writeString(home.resolve("secrets/crm/token"), "value-never-sent");
  }

  /**
   * As Flux retries a failed reconciliation: a Secret that appears after the revision that needs it
   * (External Secrets syncing it a moment later) lets that revision apply, without the control plane
   * sending it again, which it does not do after a nack (PROTOCOL.md, section 4).
   */
  @Test
  void aRevisionThatFailedForAMissingSecretAppliesOnceTheSecretAppears() throws Exception {
    revisionTwoNackedForAMissingSecret();
    // tried again, and failing again, several times before the secret appears
    TestControlPlane.await(() -> agent.keeper.applyFailure().map(f -> f.attempts() >= 3).orElse(false),
        "the revision tried again");
    assertThat(cp.messages(Nack.class)).as("a failing retry sends no second nack").hasSize(1);

    createTheMissingSecret();
    awaitAck(2);
    assertThat(agent.running().get("integrations/orders.json")).contains("\"version\" : \"v2\"");
    assertThat(Files.readString(home.resolve("agent/applied.json"))).contains("\"revision\":2");
    cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 2);
    assertThat(agent.keeper.applyFailure()).isEmpty();
    assertThat(agent.audit).filteredOn(AuditEvent::accepted).extracting(AuditEvent::revision).contains(2L);
  }

  /** A newer revision ends the retries of a failed one: the control plane wants that one now. */
  @Test
  void aNewerRevisionEndsTheRetriesOfAFailedOne() throws Exception {
    revisionTwoNackedForAMissingSecret();
    cp.sendSigned(state(3, integration("orders", "v3")));
    awaitAck(3);
    assertThat(agent.keeper.applyFailure()).isEmpty();

    createTheMissingSecret();
    Thread.sleep(3 * AgentHarness.RETRY.max().toMillis());
    assertThat(cp.messages(Ack.class)).extracting(Ack::revision).doesNotContain(2L);
    assertThat(agent.keeper.lastAppliedRevision()).isEqualTo(3);
    assertThat(agent.running().get("integrations/orders.json")).contains("\"version\" : \"v3\"");
  }

  /**
   * A first apply has no earlier revision to put back: the nack must not let the control plane
   * believe nothing changed when integrations were written before the failure.
   */
  @Test
  void aFirstApplyThatFailsHalfwaySaysWhatItLeft() throws Exception {
    cp.sendSigned(state(1, TestStates.withSecret(integration("orders", "v1"), "crm", "token")));
    Nack refused = cp.awaitMessage(Nack.class, n -> n.revision() == 1);
    assertThat(refused.errors()).singleElement().satisfies(e ->
        assertThat(e.message()).contains("check-secrets").contains("nothing was changed"));

    // the second integration's file cannot be written: the first is, before the failure
    Files.createDirectories(home.resolve("state/integrations/zeta.json/blocked"));
    cp.sendSigned(state(2, integration("alpha", "v1"), integration("zeta", "v1")));
    Nack partly = cp.awaitMessage(Nack.class, n -> n.revision() == 2);
    assertThat(partly.errors()).singleElement().satisfies(e -> assertThat(e.message())
        .contains("apply-integrations").contains("partly applied: what it wrote before failing stays"));
    assertThat(agent.running()).containsKey("integrations/alpha.json");
  }

  @Test
  void aDuplicateSnapshotIsAckedAgainWithoutTouchingAnything() throws Exception {
    Snapshot snapshot = Snapshot.signed(StateCodec.toTree(state(1, "orders")), SIGNER);
    cp.send(snapshot);
    awaitAck(1);
    Path file = home.resolve("state/integrations/orders.json");
    var modified = Files.getLastModifiedTime(file);
    Thread.sleep(20);

    cp.send(snapshot);
    await(() -> cp.messages(Ack.class).size() == 2, "a second ack");
    assertThat(cp.messages(Nack.class)).isEmpty();
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
    assertThat(agent.audit).hasSize(1);
  }

  @Test
  void prunesWhatANewerSnapshotNoLongerHolds() throws Exception {
    cp.sendSigned(state(1, "orders", "billing"));
    awaitAck(1);
    cp.sendSigned(state(2, integration("orders", "v2")));
    awaitAck(2);
    assertThat(agent.running()).containsOnlyKeys("routes.json", "telemetry.json", "integrations/orders.json");
    assertThat(agent.running().get("integrations/orders.json")).contains("\"version\" : \"v2\"");
  }

  @Test
  void survivesAControlPlaneRestartMidStreamAndResumesFromItsRevision() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    Map<String, String> before = agent.running();

    cp.stop();
    Thread.sleep(1200); // away for a while: the agent's reconnects are refused meanwhile
    assertThat(agent.running()).as("nothing running changes while the control plane is away").isEqualTo(before);
    int connectionsBefore = cp.connections.get();
    cp.received.clear();
    cp.start();
    await(() -> cp.connections.get() > connectionsBefore, "the agent reconnects");
    Hello hello = cp.awaitMessage(Hello.class, h -> true);
    assertThat(hello.lastAppliedRevision()).isEqualTo(1);

    cp.sendSigned(state(2, "orders", "billing"));
    awaitAck(2);
    assertThat(agent.running()).containsKey("integrations/billing.json");
  }

  @Test
  void detectsADeadConnectionInBoundedTimeAndReconnects() throws Exception {
    try (TestControlPlane dead = new TestControlPlane(vertx, SIGNER).start();
        AgentHarness second = agentWithShortLiveness(dead.url())) {
      await(dead::connected, "the agent connects");
      dead.silent = true;
      long start = System.nanoTime();
      await(() -> dead.connections.get() >= 2, "a new connection after the old one went silent");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      // liveness timeout + one ping interval to notice + the first backoff (at most 1 s)
      assertThat(took).isLessThan(LIVENESS.plus(PING).plus(Duration.ofMillis(1000)).plus(Duration.ofMillis(1500)));
    }
  }

  /**
   * A control plane silent from the start is dropped at the liveness timeout, not up to a ping
   * interval later: the silence was looked at only when a ping was due, so PROTOCOL.md's 90 s became
   * up to 120 s. Measured from just before the agent starts, which is before the opening it counts
   * from: the drop cannot be seen sooner than the timeout, however late a thread runs. The next ping
   * after the timeout is due 5 s after the opening: a drop then is past the bound, 1 s above the
   * timeout, that leaves room for a late timer on a loaded machine.
   */
  @Test
  void aSilentConnectionIsDroppedAtTheLivenessTimeoutNotAtTheNextPing() throws Exception {
    Duration ping = Duration.ofMillis(2500);
    Duration liveness = Duration.ofSeconds(3);
    try (TestControlPlane quiet = new TestControlPlane(vertx, SIGNER)) {
      quiet.silent = true;
      quiet.start();
      AgentHarness second = new AgentHarness(vertx, Files.createDirectories(home.resolve("second")), quiet.url(),
          SIGNER.keys().getPublic(), ping, liveness);
      try (second) {
        long startedAt = System.nanoTime();
        second.start();
        await(() -> quiet.closeCodes.contains((short) 1001), "the agent closes the silent connection");
        Duration took = Duration.ofNanos(System.nanoTime() - startedAt);
        assertThat(took).isBetween(liveness, liveness.plusSeconds(1));
      }
    }
  }

  /**
   * A snapshot sent as one frame over a slow link, for longer than the liveness timeout, is received:
   * every byte read counts as heard. Netty hands over a frame only once it is whole, so counting
   * frames (fragments included) cut such a connection as dead mid-frame ("no frame for 14991 ms"),
   * and the control plane sent the snapshot again, for ever. The link brings 8 KiB every 20 ms:
   * 1.2 MB take about 3 s, and nothing else comes meanwhile.
   */
  @Test
  void aSnapshotInOneFrameArrivingMoreSlowlyThanTheLivenessTimeoutIsReceived() throws Exception {
    try (TestControlPlane far = new TestControlPlane(vertx, SIGNER).start();
        ThrottledLink slow = ThrottledLink.slowFromServer(java.net.URI.create(far.url()).getPort(), 8 * 1024, 20);
        AgentHarness second = new AgentHarness(vertx, Files.createDirectories(home.resolve("second")), slow.url(),
            SIGNER.keys().getPublic(), PING, LIVENESS).start()) {
      await(far::connected, "the agent connects through the slow link");
      far.awaitMessage(Hello.class, h -> true);
      int connections = far.connections.get();
      far.silent = true; // no pong comes between to keep the connection alive
      far.sendSigned(state(1, TestStates.bulky(15_000)));
      far.awaitMessage(Ack.class, a -> a.revision() == 1);
      assertThat(far.connections.get()).as("the same connection").isEqualTo(connections);
      assertThat(far.closeCodes).isEmpty();
    }
  }

  @Test
  void resendsTheUnacknowledgedStatusAfterAReconnect() throws Exception {
    cp.ackStatus = false;
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    Status sent = cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 1);

    cp.stop();
    cp.received.clear();
    cp.ackStatus = true;
    cp.start();
    Status resent = cp.awaitMessage(Status.class, s -> true);
    assertThat(resent.seq()).isEqualTo(sent.seq());
    assertThat(resent.lastAppliedRevision()).isEqualTo(1);
  }

  @Test
  void theUpgradeCarriesTheBearerToken() throws Exception {
    // the agent got in with its token (setUp); a client with another token is refused on the upgrade
    assertThat(cp.refusedUpgrades.get()).isZero();
    var options = new io.vertx.core.http.WebSocketConnectOptions().setAbsoluteURI(cp.url())
        .addHeader("Authorization", "Bearer not-the-token");
    Throwable failure = vertx.createWebSocketClient().connect(options).toCompletionStage().toCompletableFuture()
        .handle((ws, e) -> e).get();
    assertThat(failure).isNotNull();
    assertThat(cp.refusedUpgrades.get()).isEqualTo(1);
  }

  @Test
  void theWireFormatIsSpecs() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    assertThat(cp.received).allSatisfy(frame -> assertThat(ProtocolCodec.decode(frame)).isNotNull());
  }

  @Test
  void aSnapshotOfSeveralMebibytesInOneFrameIsApplied() throws Exception {
    Integration[] large = TestStates.bulky(40_000); // 4 integrations of 800 KB
    int connections = cp.connections.get();

    cp.sendSigned(state(1, large));
    awaitAck(1);
    assertThat(agent.running().entrySet()).filteredOn(e -> e.getKey().startsWith("integrations/bulk-")).hasSize(4)
        .allSatisfy(e -> assertThat(e.getValue()).hasSizeGreaterThan(800_000));
    assertThat(cp.connections.get()).as("the connection stayed").isEqualTo(connections);
  }

  /**
   * A snapshot arriving over a slow link in fragments, for longer than the liveness timeout, is
   * received: every fragment counts as heard. Only whole messages counted, and the connection was
   * cut as dead mid-transfer, then the snapshot sent again, for ever.
   */
  @Test
  void aSnapshotArrivingMoreSlowlyThanTheLivenessTimeoutIsReceived() throws Exception {
    try (TestControlPlane slow = new TestControlPlane(vertx, SIGNER).start();
        AgentHarness second = agentWithShortLiveness(slow.url())) {
      await(slow::connected, "the agent connects");
      slow.awaitMessage(Hello.class, h -> true);
      slow.silent = true; // no pong comes between the fragments to keep the connection alive
      int connections = slow.connections.get();
      slow.sendSignedSlowly(state(1, "orders"), 30, 100);
      slow.awaitMessage(Ack.class, a -> a.revision() == 1);
      assertThat(slow.connections.get()).as("the same connection").isEqualTo(connections);
    }
  }

  /**
   * Of the snapshots waiting for the applier the newest revision is kept, not the last to arrive: a
   * malformed one whose revision cannot be read (or an older one) arriving after revision 2 left it
   * unanswered and unapplied until the next state change.
   */
  @Test
  void aMalformedSnapshotArrivingAfterANewerOneDoesNotReplaceIt() throws Exception {
    cp.sendSigned(state(1, "orders", HeldApply.HELD));
    await(agent.held::holding, "the applier works on revision 1");
    cp.sendSigned(state(2, integration("orders", "v2")));
    cp.sendRaw("{\"type\":\"snapshot\",\"revision\":\"x\"}");
    cp.send(new Ping("after"));
    cp.awaitMessage(Pong.class, p -> p.nonce().equals("after"));
    agent.held.release();
    awaitAck(2);
    assertThat(agent.keeper.lastAppliedRevision()).isEqualTo(2);
  }

  /** A refusal that reconnecting cannot mend is logged at ERROR with its code and meaning (PROTOCOL.md section 11). */
  @Test
  void aControlPlaneRefusingTheDataPlaneIsLoggedAsAnErrorWithItsCode() throws Exception {
    try (LogLines log = LogLines.of(ControlPlaneLink.class)) {
      cp.closeOnHello = (short) 4003;
      int connections = cp.connections.get();
      cp.disconnect();
      await(() -> cp.connections.get() > connections && !log.errors().isEmpty(), "a refused reconnection logged");
      assertThat(log.errors()).anySatisfy(e -> assertThat(e).contains("code 4003")
          .contains("this data plane is not the one the agent's token is for"));
    } finally {
      cp.closeOnHello = null;
    }
  }

  @Test
  void ofSnapshotsArrivingFasterThanTheyApplyOnlyTheNewestIsApplied() throws Exception {
    cp.sendSigned(state(1, "orders", HeldApply.HELD)); // keeps the applier busy while the others arrive
    await(agent.held::holding, "the applier works on revision 1");
    for (long revision = 2; revision <= 30; revision++) {
      cp.sendSigned(state(revision, integration("orders", "v" + revision)));
    }
    cp.send(new Ping("after")); // frames are handled in order: once answered, all 29 have arrived
    cp.awaitMessage(Pong.class, p -> p.nonce().equals("after"));
    agent.held.release();

    awaitAck(30);
    Thread.sleep(200);
    assertThat(cp.messages(Ack.class)).as("waiting snapshots superseded by a newer one get no reply")
        .extracting(Ack::revision).containsExactly(1L, 30L);
    assertThat(cp.messages(Nack.class)).isEmpty();
    assertThat(agent.keeper.lastAppliedRevision()).isEqualTo(30);
    assertThat(agent.running().get("integrations/orders.json")).contains("\"version\" : \"v30\"");
  }

  @Test
  void aLinkStoppedAndStartedAgainWhileConnectingHoldsOneConnection() throws Exception {
    agent.link.stop();
    await(() -> cp.open.get() == 0, "the connection closes");
    // as when leadership flaps: each start begins a connect that is still under way at the next stop
    for (int i = 0; i < 5; i++) {
      agent.link.start();
      agent.link.stop();
    }
    agent.link.start();
    await(() -> cp.open.get() >= 1, "the agent connects");
    Thread.sleep(1200); // time for a second connect still under way to open
    assertThat(cp.open.get()).as("connections open at once").isEqualTo(1);
    assertThat(agent.link.connected()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"type\":\"snapshot\",\"revision\":9007199254740993,\"state\":{}}",
      "{\"type\":\"snapshot\",\"revision\":18446744073709551617}",
      "{\"type\":\"snapshot\",\"revision\":1e300}"})
  void aRevisionBeyondWhatTheProtocolCarriesIsNeverEchoedNorReportedAsAttempted(String frame) throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    cp.sendRaw(frame);
    Thread.sleep(300); // the agent decides on it before the next one arrives

    cp.sendSigned(state(2, "orders", "billing"));
    awaitAck(2);
    Status status = cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 2);
    assertThat(status.lastAttemptedRevision()).isEqualTo(2);
    assertThat(cp.messages(Nack.class)).as("a revision that cannot be read is nacked as 0, if at all")
        .allSatisfy(nack -> assertThat(nack.revision()).isZero());
    assertThat(agent.running()).containsKey("integrations/billing.json");
  }

  /**
   * A snapshot whose revision cannot be read, or is out of the protocol's range, is nacked at
   * revision 0 (PROTOCOL.md section 3.4), naming the field: it went unanswered, only logged, and the
   * control plane never learned why its snapshot did nothing. Nothing changes, and it is not attempted.
   */
  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "9007199254740992", "9223372036854775807", "18446744073709551616", "\"7\"",
      "1.5", "null"})
  void aSnapshotWhoseRevisionCannotBeReadIsNackedAtRevisionZeroNamingTheField(String revision) throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    String signed = ProtocolCodec.encode(Snapshot.signed(StateCodec.toTree(state(2, "orders", "billing")), SIGNER));
    assertThat(signed).startsWith("{\"type\":\"snapshot\",\"revision\":2,");
    cp.sendRaw(signed.replaceFirst("\"revision\":2,", "\"revision\":" + revision + ","));

    Nack nack = cp.awaitMessage(Nack.class, n -> true);
    assertThat(nack.revision()).isZero();
    assertThat(nack.errors()).extracting(dev.outpost.spec.state.Violation::path).contains("revision");
    assertThat(agent.running()).doesNotContainKey("integrations/billing.json");
    cp.sendSigned(state(3, "orders", "billing"));
    awaitAck(3);
    Status status = cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 3);
    assertThat(status.lastAttemptedRevision()).isEqualTo(3);
  }

  /**
   * Text that is not UTF-8 fails the connection with 1007 (RFC 6455 section 8.1): it was decoded
   * with U+FFFD for each bad byte and read on. The agent connects again.
   */
  @Test
  void textThatIsNotUtf8ClosesTheConnectionWith1007() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    int connections = cp.connections.get();
    cp.sendTextBytes(new byte[] {'{', '"', (byte) 0xC3, '(', '"', ':', '1', '}'});
    await(() -> cp.closeCodes.contains((short) 1007), "the agent closes with 1007");
    await(() -> cp.connections.get() > connections && cp.connected(), "the agent reconnects");
    cp.sendSigned(state(2, "orders", "billing"));
    awaitAck(2);
  }

  /**
   * A snapshot nobody trusted signed is answered, but its revision is not one the control plane
   * attempted: reported, it stayed in every later status as a failed attempt newer than anything applied.
   */
  @Test
  void aRevisionOfAnUntrustedSignatureIsNotReportedAsAttempted() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    SnapshotSigner stranger = new SnapshotSigner(Ed25519Keys.generate());
    cp.send(Snapshot.signed(StateCodec.toTree(state(9_000_000, "orders")), stranger));
    cp.awaitMessage(Nack.class, n -> n.revision() == 9_000_000);

    cp.sendSigned(state(2, "orders", "billing"));
    awaitAck(2);
    Status status = cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 2);
    assertThat(status.lastAttemptedRevision()).isEqualTo(2);
  }

  /**
   * A snapshot the trusted key signed for another data plane (a control plane's routing slip) is
   * refused; it was never this data plane's attempt, so its revision stays out of the status.
   */
  @Test
  void aRevisionSignedForAnotherDataPlaneIsNotReportedAsAttempted() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    com.fasterxml.jackson.databind.node.ObjectNode elsewhere = (com.fasterxml.jackson.databind.node.ObjectNode) StateCodec.toTree(state(9_000_000, "orders"));
    elsewhere.put("dataPlane", "another-plane");
    cp.send(Snapshot.signed(elsewhere, SIGNER));
    cp.awaitMessage(Nack.class, n -> n.revision() == 9_000_000);

    cp.sendSigned(state(2, "orders", "billing"));
    awaitAck(2);
    Status status = cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 2);
    assertThat(status.lastAttemptedRevision()).isEqualTo(2);
  }

  /**
   * A key written twice is read as its first value by some parsers and its last by others: no
   * revision is read out of such a frame, which is refused as any frame that is not JSON is (PROTOCOL.md
   * section 2), whichever key it repeats and wherever.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "{\"type\":\"snapshot\",\"revision\":2,\"revision\":7}",
      "{\"type\":\"snapshot\",\"revision\":7,\"state\":{},\"revision\":2}",
      "{\"type\":\"ping\",\"nonce\":\"n\",\"type\":\"snapshot\",\"revision\":7}",
      "{\"type\":\"snapshot\",\"revision\":7,\"state\":{\"revision\":7,\"revision\":8}}"})
  void aFrameRepeatingAKeyIsRefusedAsMalformedAtNoRevision(String frame) throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    try (LogLines log = LogLines.of(ControlPlaneLink.class)) {
      cp.sendRaw(frame);
      await(() -> !log.warnings().isEmpty() || !cp.messages(Nack.class).isEmpty(), "the agent decides on the frame");
      assertThat(cp.messages(Nack.class)).as("a nack at a revision read out of the frame").isEmpty();
      assertThat(log.warnings()).singleElement().satisfies(w ->
          assertThat(w).contains("ignored a malformed frame").contains("Duplicate field"));
    }
    cp.sendSigned(state(2, "orders", "billing"));
    awaitAck(2);
    Status status = cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 2);
    assertThat(status.lastAttemptedRevision()).isEqualTo(2);
    assertThat(agent.audit).extracting(AuditEvent::eventName).containsOnly(AuditEvent.ACCEPTED);
  }

  @Test
  void aBinaryFrameClosesTheConnectionWith1003AndTheAgentReconnects() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    Map<String, String> before = agent.running();
    int connections = cp.connections.get();

    cp.sendBinary(ProtocolCodec.encode(new dev.outpost.spec.protocol.Ping("binary")).getBytes());
    await(() -> cp.closeCodes.contains((short) 1003), "the agent closes with 1003");
    await(() -> cp.connections.get() > connections && cp.connected(), "the agent reconnects");
    assertThat(agent.running()).isEqualTo(before);
  }

  /** Vert.x drops a message past the limit without closing: the agent closes (1009) and dials again. */
  @Test
  void aMessageLargerThanTheLimitInFragmentsClosesTheConnectionWith1009() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    int connections = cp.connections.get();
    cp.sendFragmented(dev.outpost.agent.link.LinkOptions.MAX_MESSAGE_BYTES + (1 << 20), 1 << 20);
    await(() -> cp.closeCodes.contains((short) 1009), "the agent closes with 1009");
    await(() -> cp.connections.get() > connections && cp.connected(), "the agent reconnects");
    cp.sendSigned(state(2, "orders"));
    awaitAck(2);
  }

  /**
   * One frame past the limit is refused by Netty ("Max frame length of 16777216 has been
   * exceeded"), before Vert.x's message check: the agent closed with 1011, not the 1009 PROTOCOL.md
   * sections 2 and 11 give. The control plane here is written by hand and sends the frame's head
   * alone: one sending the whole frame is reset before it reads the close frame.
   */
  @Test
  void aMessageLargerThanTheLimitInOneFrameClosesTheConnectionWith1009() throws Exception {
    Path secondHome = Files.createDirectories(home.resolve("second"));
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        AgentHarness second = new AgentHarness(vertx, secondHome, "ws://127.0.0.1:" + server.getLocalPort() + "/v1/connect",
            SIGNER.keys().getPublic(), PING, Duration.ofSeconds(30)).start();
        RawWebSocket controlPlane = RawWebSocket.accept(server)) {
      controlPlane.sendTextHead(LinkOptions.MAX_MESSAGE_BYTES + 1L);
      assertThat(controlPlane.awaitCloseCode()).isEqualTo(1009);
    }
  }

  @Test
  void aStateWithThousandsOfProblemsIsNackedWithTheFirstHundredAndACount() throws Exception {
    ObjectNode broken = (ObjectNode) StateCodec.toTree(state(1, "orders"));
    var integrations = broken.withArray("integrations");
    for (int i = 0; i < 2000; i++) {
      integrations.addObject().put("name", "x" + i); // project, version and source missing
    }
    cp.send(Snapshot.signed(broken, SIGNER));

    Nack nack = cp.awaitMessage(Nack.class, n -> n.revision() == 1);
    assertThat(nack.errors()).hasSize(101);
    assertThat(nack.errors().get(0).path()).isEqualTo("state.integrations[1].project");
    // three for each new integration, and one for holding more than a data plane runs
    assertThat(nack.errors().get(100).message()).isEqualTo("5901 more problems not listed");
    assertThat(agent.audit).singleElement().satisfies(e -> assertThat(e.reasons()).hasSize(101));
    assertThat(agent.running()).isEmpty();
  }

  @Test
  void aSnapshotStillWaitingWhenTheLinkStopsIsNotApplied() throws Exception {
    cp.sendSigned(state(1, "orders"));
    awaitAck(1);
    cp.sendSigned(state(2, "orders", HeldApply.HELD)); // keeps the applier busy while the next one waits
    await(agent.held::holding, "the applier works on revision 2");
    cp.sendSigned(state(3, "orders", "billing"));
    await(agent.link::snapshotWaiting, "revision 3 waits");

    agent.link.stop(); // as when this replica loses the lease
    agent.held.release();
    await(() -> agent.keeper.lastAppliedRevision() == 2, "the snapshot being applied completes");
    Thread.sleep(500);
    assertThat(agent.keeper.lastAppliedRevision()).as("the waiting one is dropped").isEqualTo(2);
    assertThat(agent.running()).doesNotContainKey("integrations/billing.json");
  }

  @Test
  void aStateWithTensOfThousandsOfProblemsIsNackedInSecondsAndTheNextOneApplies() throws Exception {
    ObjectNode broken = (ObjectNode) StateCodec.toTree(state(1, "orders"));
    var integrations = broken.withArray("integrations");
    for (int i = 0; i < 20_000; i++) {
      integrations.addObject().put("name", "X" + i); // not a DNS label, and project, version, source missing
    }
    cp.send(Snapshot.signed(broken, SIGNER));
    long start = System.nanoTime();
    cp.awaitMessage(Nack.class, n -> n.revision() == 1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

    cp.sendSigned(state(2, "orders"));
    awaitAck(2);
  }

  /**
   * Hello goes out at once on a new connection, not queued behind an apply in progress: the held
   * write keeps revision 1 applying from before the drop until after the new hello has arrived.
   * What that apply decided still reaches the control plane, on the new connection.
   */
  @Test
  void helloIsTheFirstFrameOfANewConnectionEvenWhileASnapshotIsBeingApplied() throws Exception {
    cp.awaitMessage(Hello.class, h -> true); // the first connection's first frame is recorded
    int firsts = cp.firstFrames.size();
    int connections = cp.connections.get();
    cp.sendSigned(state(1, "orders", HeldApply.HELD));
    await(agent.held::holding, "the applier works on revision 1");
    try {
      cp.disconnect();
      await(() -> cp.firstFrames.size() > firsts, "the first frame of a new connection");
      assertThat(agent.held.holding()).as("revision 1 is still being applied").isTrue();
      assertThat(ProtocolCodec.decode(cp.firstFrames.get(firsts))).isInstanceOfSatisfying(Hello.class, hello ->
          assertThat(hello.lastAppliedRevision()).as("the revision in progress is not claimed").isZero());
      // the status the apply reports goes to the link's connection: wait until the new one is it
      await(agent.link::connected, "the new connection is the link's");
    } finally {
      agent.held.release(); // a failure above must not leave the applier held
    }

    // the ack went to the connection that is gone; the status on the new one says revision 1 applied
    cp.awaitMessage(Status.class, s -> s.lastAppliedRevision() == 1);
    assertThat(agent.keeper.lastAppliedRevision()).isEqualTo(1);
    // and the link works on: the snapshot sent again after hello, as a control plane does, is acked
    cp.sendSigned(state(1, "orders", HeldApply.HELD));
    awaitAck(1);
    assertThat(cp.messages(Nack.class)).isEmpty();
    assertThat(cp.connections.get()).as("only the one reconnection").isEqualTo(connections + 1);
  }
}
