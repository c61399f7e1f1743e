package dev.outpost.agent.link;

import static dev.outpost.agent.TestStates.state;
import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.TestStates;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.state.StateCodec;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The most a control plane can have the agent hold at once: the largest snapshots the protocol
 * carries (just under 16 MiB, each integration under 1 MB), sent back to back as PROTOCOL.md section
 * 4.5 allows while one as large is enforced, so that one is enforced, one applied, one waits and one
 * arrives. The agent runs in a JVM of its own with {@link #HEAP} and {@code -XX:+ExitOnOutOfMemoryError},
 * as {@code ./outpost} runs it. It held each waiting snapshot twice, as its text and its parsed tree,
 * and needed 180 to 190 MiB for this; it needs about 140 MiB now (found by narrowing the heap down: it
 * ends at 128m, not at 144m). The packaged agent ended the same way at the 128m {@code ./outpost} gave
 * it, and nothing restarts it locally: {@code ./outpost} gives it 256m.
 */
class BacklogHeapTest {
  static final SnapshotSigner SIGNER = new SnapshotSigner(Ed25519Keys.generate());
  /** The heap the link, keeper and local target must do with: below what they needed before, above what they need. */
  static final String HEAP = "160m";
  /** Integrations of about 970 KB, under the 1 MB one may have, 17 of them: a state of 16.5 MB. */
  static final int INTEGRATIONS = 17;
  static final int LINES = 12_000;

  @TempDir Path dir;
  Vertx vertx;
  TestControlPlane cp;
  Process agent;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    cp = new TestControlPlane(vertx, SIGNER).start();
    Path home = Files.createDirectories(dir.resolve("home"));
    agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + HEAP, "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
        "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
        "-cp", System.getProperty("java.class.path"), SeparateAgent.class.getName(),
        cp.url(), Ed25519Keys.toRawBase64(SIGNER.keys().getPublic()), home.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
    await(cp::connected, "the separate agent connects");
  }

  @AfterEach
  void stop() throws Exception {
    agent.destroy();
    agent.waitFor(10, TimeUnit.SECONDS);
    cp.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  /** The largest state: its frame is just under 16 MiB. */
  static String largest(long revision) {
    Integration[] integrations = new Integration[INTEGRATIONS];
    for (int i = 0; i < integrations.length; i++) {
      Integration model = TestStates.integration("large-" + i, "r" + revision);
      integrations[i] = new Integration(model.name(), model.project(), model.version(),
          model.source() + ("# " + "x".repeat(77) + "\n").repeat(LINES), model.config(), model.secrets(),
          model.replicas(), model.resources());
    }
    return ProtocolCodec.encode(Snapshot.signed(StateCodec.toTree(state(revision, integrations)), SIGNER));
  }

  @Test
  void theLargestSnapshotsBackToBackWhileOneIsEnforcedFitTheHeap() throws Exception {
    List<String> frames = new ArrayList<>();
    for (long revision = 1; revision <= 4; revision++) {
      frames.add(largest(revision));
    }
    assertThat(frames.get(0).getBytes(StandardCharsets.UTF_8).length)
        .isBetween(LinkOptions.MAX_MESSAGE_BYTES - (1 << 20), LinkOptions.MAX_MESSAGE_BYTES);

    cp.sendRaw(frames.get(0));
    awaitAck(1);
    frames.subList(1, 4).forEach(cp::sendRaw);
    awaitAck(4);
    assertThat(agent.isAlive()).as("the agent runs on").isTrue();
  }

  private void awaitAck(long revision) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (cp.messages(Ack.class).stream().noneMatch(a -> a.revision() == revision)) {
      assertThat(agent.isAlive()).as("the agent runs, but ended: %s", log()).isTrue();
      assertThat(System.nanoTime()).as("an ack of revision %d within a minute", revision).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** The end of the agent's output: why it ended. */
  private String log() throws Exception {
    String text = Files.readString(dir.resolve("agent.log"));
    return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
  }
}
