package dev.outpost.agent.link;

import static dev.outpost.agent.TestStates.state;
import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Ping;
import dev.outpost.spec.protocol.Pong;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.state.StateCodec;
import dev.outpost.spec.testing.LogLines;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frame of up to 16 MiB can take a second or more to parse: done on the event loop, that second
 * would hold every ping and frame of the link, and whatever else shares the loop. Vert.x's
 * blocked-thread checker, told to speak up well below that, watches the agent's event loops.
 */
class LargeFrameTest {
  static final SnapshotSigner SIGNER = new SnapshotSigner(Ed25519Keys.generate());
  /** Several times what the event loop spends receiving 16 MiB, a fraction of what parsing it costs. */
  static final long EVENT_LOOP_LIMIT_MS = 300;

  @TempDir Path home;
  Vertx agentVertx;
  Vertx cpVertx;
  TestControlPlane cp;
  AgentHarness agent;

  @BeforeEach
  void start() throws Exception {
    agentVertx = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(50)
        .setMaxEventLoopExecuteTime(EVENT_LOOP_LIMIT_MS).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    cpVertx = Vertx.vertx(); // the control plane's own work is not watched
    cp = new TestControlPlane(cpVertx, SIGNER).start();
    agent = new AgentHarness(agentVertx, home, cp.url(), SIGNER.keys().getPublic(), Duration.ofMillis(300),
        Duration.ofSeconds(30)).start();
    await(cp::connected, "the agent connects");
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
    cp.close();
    agentVertx.close().toCompletionStage().toCompletableFuture().get();
    cpVertx.close().toCompletionStage().toCompletableFuture().get();
  }

  /**
   * A signed snapshot padded to 16 MiB with an object of a million members, a field the protocol
   * lets the agent ignore: costly to parse, and applied like any other.
   */
  static String paddedSnapshot(long revision) {
    String snapshot = ProtocolCodec.encode(Snapshot.signed(StateCodec.toTree(state(revision, "orders", "billing")),
        SIGNER));
    StringBuilder frame = new StringBuilder(LinkOptions.MAX_MESSAGE_BYTES)
        .append(snapshot, 0, snapshot.length() - 1).append(",\"padding\":{");
    for (int i = 0; frame.length() < LinkOptions.MAX_MESSAGE_BYTES - 16; i++) {
      frame.append(i == 0 ? "\"" : ",\"").append(Integer.toString(i, 36)).append("\":0");
    }
    return frame.append("}}").toString();
  }

  @Test
  void aSnapshotOfSixteenMebibytesIsDecodedOffTheEventLoopWhichAnswersPingsMeanwhile() throws Exception {
    // what the first frames cost on the event loop of a fresh JVM (loading classes) is not the point
    cp.send(new Ping("first"));
    cp.awaitMessage(Pong.class, p -> p.nonce().equals("first"));
    cp.sendSigned(state(1, "orders"));
    cp.awaitMessage(Ack.class, a -> a.revision() == 1);
    String large = paddedSnapshot(2);

    try (LogLines blocked = LogLines.of("io.vertx.core.impl.BlockedThreadChecker")) {
      cp.sendRaw(large);
      cp.send(new Ping("behind-the-large-frame"));

      cp.awaitMessage(Ack.class, a -> a.revision() == 2);
      cp.awaitMessage(Pong.class, p -> p.nonce().equals("behind-the-large-frame"));
      assertThat(agent.running()).containsKey("integrations/billing.json");
      assertThat(blocked.warnings()).as("the agent's event loops blocked").isEmpty();
    }
  }

  /**
   * A frame of another type padded past the large-frame size, with a field the protocol lets the
   * agent ignore, arrives while a snapshot waits for the applier: it is answered, and the snapshot
   * is still applied and acknowledged.
   */
  @Test
  void aLargeFrameOfAnotherTypeDoesNotDisplaceAWaitingSnapshot() throws Exception {
    cp.sendSigned(state(1, "orders"));
    cp.awaitMessage(Ack.class, a -> a.revision() == 1);
    cp.sendSigned(state(2, "orders", HeldApply.HELD));
    await(agent.held::holding, "the applier works on revision 2");
    cp.sendSigned(state(3, "orders", "billing"));
    await(agent.link::snapshotWaiting, "revision 3 waits");

    String ping = ProtocolCodec.encode(new Ping("padded"));
    String padding = "x".repeat(2 * ControlPlaneLink.LARGE_FRAME_CHARS);
    cp.sendRaw(ping.substring(0, ping.length() - 1) + ",\"padding\":\"" + padding + "\"}");
    cp.awaitMessage(Pong.class, p -> p.nonce().equals("padded"));
    assertThat(agent.link.snapshotWaiting()).as("revision 3 still waits").isTrue();

    agent.held.release();
    cp.awaitMessage(Ack.class, a -> a.revision() == 3);
    assertThat(agent.running()).containsKey("integrations/billing.json");
  }
}
