package dev.outpost.agent.link;

import static dev.outpost.agent.TestStates.state;
import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.protocol.Ping;
import dev.outpost.spec.protocol.Pong;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.testing.LogLines;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control plane that stops reading what the agent sends (a stuck process, or one flooding pings
 * to exhaust the agent's memory): the agent keeps a bounded amount for it, and either works as
 * before once it reads again or gives the connection up and makes a new one.
 */
class NonReadingControlPlaneTest {
  static final SnapshotSigner SIGNER = new SnapshotSigner(Ed25519Keys.generate());
  static final Duration PING = Duration.ofMillis(300);
  /** Long: a control plane that floods the agent is heard from, and this test must not wait on it. */
  static final Duration LIVENESS = Duration.ofSeconds(30);
  /** 120 characters and a count: pongs of about 150 bytes. */
  static final String NONCE = "n".repeat(120);
  static final int PONG_BYTES = ProtocolCodec.encode(new Pong(NONCE + 1)).length();

  @TempDir Path home;
  Vertx vertx;
  TestControlPlane cp;
  AgentHarness agent;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    cp = new TestControlPlane(vertx, SIGNER);
    cp.receiveBufferBytes = 64 * 1024; // what the agent sends stays on its side, not in this socket
    cp.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    cp.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  void connect(long maxUnsentChars) throws Exception {
    connect(maxUnsentChars, LIVENESS);
  }

  void connect(long maxUnsentChars, Duration liveness) throws Exception {
    agent = new AgentHarness(vertx, home, cp.url(), List.of(SIGNER.keys().getPublic()), PING, liveness, null,
        null, null, maxUnsentChars).start();
    await(cp::connected, "the agent connects");
    cp.awaitMessage(Hello.class, h -> true);
  }

  /**
   * Enough pings that their pongs are several times what the kernel's socket buffers can hold on
   * their way (the agent's send buffer grows up to tcp_wmem's maximum): the rest would wait in the
   * agent's memory.
   */
  static int floodSize() throws IOException {
    long socketBuffers = 2L * 64 * 1024 + sendBufferMax();
    return (int) Math.max(200_000, 4 * socketBuffers / PONG_BYTES);
  }

  static long sendBufferMax() throws IOException {
    Path wmem = Path.of("/proc/sys/net/ipv4/tcp_wmem");
    if (!Files.exists(wmem)) {
      return 16 << 20;
    }
    // read as a stream: Files.readString sees a /proc file as one byte long in some sandboxes
    try (InputStream in = Files.newInputStream(wmem)) {
      return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[2]);
    }
  }

  void floodPings(int pings) {
    for (int i = 0; i < pings; i++) {
      cp.send(new Ping(NONCE + i));
    }
  }

  static boolean isAck(String frame) {
    return frame.startsWith("{\"type\":\"ack\"");
  }

  @Test
  void pongsKeptForAControlPlaneThatDoesNotReadAreBoundedAndTheLinkWorksOnceItReadsAgain() throws Exception {
    connect(LinkOptions.DEFAULT_MAX_UNSENT_CHARS);
    try (LogLines log = LogLines.of("dev.outpost.agent.link")) {
      cp.stopReading();
      int pings = floodSize();
      floodPings(pings);
      cp.sendSigned(state(1, "orders"));
      await(() -> agent.keeper.lastAppliedRevision() == 1, "the agent reads the flood, then applies revision 1");

      cp.resumeReading();
      await(() -> cp.received.stream().anyMatch(NonReadingControlPlaneTest::isAck), "the ack of revision 1");
      List<String> beforeAck = cp.received.stream().takeWhile(f -> !isAck(f)).toList();
      long pongs = beforeAck.stream().filter(f -> f.startsWith("{\"type\":\"pong\"")).count();
      assertThat(pongs).as("pongs kept for %d pings while the control plane did not read", pings)
          .isLessThan(pings / 2);
      assertThat(log.containing("not reading")).as("a line when it stopped reading, not one per pong left out")
          .isNotEmpty().hasSizeLessThan(10); // one, but for one each 10 s if the flood takes longer
      assertThat(cp.connections.get()).as("the connection stayed").isEqualTo(1);

      // and the link works as before
      cp.received.clear();
      cp.sendSigned(state(2, "orders", "billing"));
      cp.awaitMessage(Ack.class, a -> a.revision() == 2);
      cp.send(new Ping("after"));
      cp.awaitMessage(Pong.class, p -> p.nonce().equals("after"));
      assertThat(cp.connections.get()).isEqualTo(1);
    }
  }

  @Test
  void statusThatWouldLeaveMoreThanTheLimitUnreadClosesTheConnectionAndTheAgentConnectsAgain() throws Exception {
    connect(1 << 20); // four statuses
    cp.sendSigned(state(1, "orders"));
    cp.awaitMessage(Ack.class, a -> a.revision() == 1);
    try (LogLines log = LogLines.of("dev.outpost.agent.link")) {
      cp.stopReading();
      // several times what the socket buffers hold on their way
      long statuses = 4 * (sendBufferMax() + 2L * 64 * 1024) / (256 * 1024);
      for (int i = 0; i < statuses && log.containing("does not read").isEmpty(); i++) {
        reportLargeStatus(i);
        Thread.sleep(20); // paced: what passes the limit is what the control plane left unread, not a burst
      }

      await(() -> !log.containing("does not read").isEmpty(), "the agent gives the connection up");
      await(() -> cp.firstFrames.size() == 2, "a new connection");
      Hello hello = (Hello) ProtocolCodec.decode(cp.firstFrames.get(1));
      assertThat(hello.lastAppliedRevision()).isEqualTo(1);
      // the control plane, reading nothing, cannot see it: the agent's side is closed, what waited on it freed
      await(() -> agent.link.socketsOpen() == 1, "the connection given up is closed");
      assertThat(log.containing("does not read")).as("one line for the connection given up").hasSize(1);
    }
  }

  @Test
  void aConnectionDroppedAsDeadIsClosedThoughItsCloseFrameWaitsBehindWhatTheControlPlaneDoesNotRead()
      throws Exception {
    connect(LinkOptions.DEFAULT_MAX_UNSENT_CHARS, Duration.ofSeconds(3));
    cp.sendSigned(state(1, "orders"));
    cp.awaitMessage(Ack.class, a -> a.revision() == 1);
    cp.stopReading(); // and says nothing: the agent drops the connection after 3 s of silence
    // twice what the socket buffers hold on their way, under the limit
    long statuses = 2 * (sendBufferMax() + 2L * 64 * 1024) / (256 * 1024) + 4;
    for (int i = 0; i < statuses && cp.connections.get() == 1; i++) {
      reportLargeStatus(i);
    }

    await(() -> cp.connections.get() == 2, "a new connection after the silence");
    await(() -> agent.link.socketsOpen() == 1, "the connection dropped as dead is closed");
  }

  /** A status of 256 KiB: a runtime reporting a long version stands in for thousands of integrations. */
  void reportLargeStatus(int i) {
    // Deploying: a version other than the state's, Ready, would be reported as the state's
    agent.runtimeStatus = "[{\"name\":\"orders\",\"phase\":\"Deploying\",\"version\":\"" + i + "-"
        + "v".repeat(256 * 1024) + "\"}]";
    agent.link.reportStatus();
  }
}
