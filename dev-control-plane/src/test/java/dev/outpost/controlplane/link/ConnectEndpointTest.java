package dev.outpost.controlplane.link;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.protocol.MalformedFrameException;
import dev.outpost.spec.protocol.Nack;
import dev.outpost.spec.protocol.Ping;
import dev.outpost.spec.protocol.Pong;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.SnapshotAcceptance;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.protocol.StatusAck;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotVerifier;
import dev.outpost.spec.state.Violation;
import dev.outpost.spec.testing.LogLines;
import dev.outpost.spec.testing.RawWebSocket;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ConnectEndpointTest {
  static final String ADMIN = "Bearer test-admin-token-0123456789";
  static final String DATA_PLANE = "Bearer test-data-plane-token-0123456789";

  @TestHTTPResource("/v1/connect")
  URI connect;

  @Inject Vertx vertx;

  final class FakeAgent implements AutoCloseable {
    final List<String> frames = new CopyOnWriteArrayList<>();
    final WebSocket socket;
    volatile boolean closed;
    volatile Short closeCode;

    FakeAgent(String authorization) throws Exception {
      this(authorization, io.vertx.core.http.HttpClientOptions.DEFAULT_MAX_WEBSOCKET_FRAME_SIZE);
    }

    /** @param maxFrameSize the largest frame sent: longer messages are split into frames of this size */
    FakeAgent(String authorization, int maxFrameSize) throws Exception {
      WebSocketConnectOptions options = new WebSocketConnectOptions()
          .setAbsoluteURI("ws://127.0.0.1:" + connect.getPort() + "/v1/connect");
      if (authorization != null) {
        options.addHeader("Authorization", authorization);
      }
      socket = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(ProtocolCodec.MAX_FRAME_BYTES)
              .setMaxFrameSize(maxFrameSize))
          .connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      socket.textMessageHandler(frames::add);
      socket.closeHandler(v -> {
        closeCode = socket.closeStatusCode();
        closed = true;
      });
    }

    void send(ProtocolMessage message) {
      socket.writeTextMessage(ProtocolCodec.encode(message));
    }

    <T extends ProtocolMessage> T await(Class<T> type) throws Exception {
      ConnectEndpointTest.await(() -> frames.stream().anyMatch(f -> decodes(f, type)), type.getSimpleName());
      return type.cast(ProtocolCodec.decode(frames.stream().filter(f -> decodes(f, type)).reduce((a, b) -> b).orElseThrow()));
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  static boolean decodes(String frame, Class<?> type) {
    try {
      return type.isInstance(ProtocolCodec.decode(frame));
    } catch (MalformedFrameException e) {
      return false;
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static final AtomicInteger PUTS = new AtomicInteger();

  /**
   * Puts the example, without its revision (a condition on a whole state), and with a greeting of its
   * own each time: a state that changes nothing makes no new revision.
   */
  static long putExample() throws Exception {
    String greeting = Files.readString(Path.of("../examples/public-hello.yaml")).replaceFirst("(?m)^revision: \\d+\\n", "")
        .replace("GREETING: Hello from Outpost", "GREETING: Hello " + PUTS.incrementAndGet());
    return ((Number) given().header("Authorization", ADMIN).contentType("application/yaml")
        .body(greeting.getBytes(StandardCharsets.UTF_8))
        .put("/v1/state").then().statusCode(200).extract().path("revision")).longValue();
  }

  @Test
  void refusesAnUpgradeWithoutTheDataPlaneToken() {
    for (String authorization : new String[] {null, "Bearer nope-nope-nope-nope", ADMIN}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FakeAgent(authorization)).hasMessageContaining("401");
    }
  }

  @Test
  void sendsTheCurrentSignedSnapshotAfterHelloAndEachNewOne() throws Exception {
    long revision = putExample();
    try (FakeAgent agent = new FakeAgent(DATA_PLANE)) {
      agent.send(new Hello(1, "local", "test", 0, List.of("local")));
      Snapshot snapshot = agent.await(Snapshot.class);
      assertThat(snapshot.revision()).isEqualTo(revision);

      String pem = given().get("/v1/public-key").then().statusCode(200).extract().asString();
      SnapshotAcceptance acceptance = new SnapshotAcceptance(new SnapshotVerifier(Ed25519Keys.publicKeyFromPem(pem)), "local");
      assertThat(acceptance.accept(snapshot, 0).integrations()).extracting("name").contains("hello");

      agent.send(new Ack(revision));
      long next = putExample();
      ConnectEndpointTest.await(() -> agent.frames.stream().filter(f -> decodes(f, Snapshot.class)).count() == 2, "the next snapshot");
      assertThat(agent.await(Snapshot.class).revision()).isEqualTo(next);
      agent.send(new Ack(next));
      agent.send(new Nack(next, List.of(new Violation("signature", "test refusal"))));
      agent.send(new Status(7, "local", Instant.now(), next, next, List.of(), new Status.GatewayStatus(next, 1, true)));
      assertThat(agent.await(StatusAck.class).seq()).isEqualTo(7);
      agent.send(new Ping("n-1"));
      assertThat(agent.await(Pong.class).nonce()).isEqualTo("n-1");

      given().header("Authorization", ADMIN).get("/v1/agents").then().statusCode(200)
          .body("lastAck", hasItem((int) next))
          .body("lastNack.errors.flatten().message", hasItem("test refusal"))
          .body("status.seq", hasItem(7));
    }
  }

  /**
   * The agent refused the current revision (a secret it lacks); the user makes the secret and deploys
   * the same file again. That must reach the agent as a new revision, which it applies at once: it was
   * "unchanged", left to the agent's backoff, and ./outpost deploy read the old nack as the answer.
   * Once the agent has acknowledged a revision, the same file again changes nothing.
   */
  @Test
  void theSameDocumentAgainAfterTheAgentRefusedItsRevisionIsANewRevision() throws Exception {
    byte[] document = Files.readString(Path.of("../examples/public-hello.yaml"))
        .replace("GREETING: Hello from Outpost", "GREETING: Hello again " + PUTS.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
    long refused = apply(document, false);
    try (FakeAgent agent = new FakeAgent(DATA_PLANE)) {
      agent.send(new Hello(1, "local", "test", refused - 1, List.of()));
      assertThat(agent.await(Snapshot.class).revision()).isEqualTo(refused);
      agent.send(new Nack(refused, List.of(new Violation("integrations[0].secrets[0]", "secret missing"))));
      ConnectEndpointTest.await(() -> given().header("Authorization", ADMIN).get("/v1/agents").then().extract()
          .jsonPath().getList("findAll { it.connected }.lastNack.revision").contains((int) refused), "the nack recorded");

      long retried = apply(document, false);
      assertThat(retried).isEqualTo(refused + 1);
      ConnectEndpointTest.await(() -> agent.frames.stream().filter(f -> decodes(f, Snapshot.class)).count() == 2, "the new revision");
      assertThat(agent.await(Snapshot.class).revision()).isEqualTo(retried);

      agent.send(new Ack(retried));
      ConnectEndpointTest.await(() -> given().header("Authorization", ADMIN).get("/v1/agents").then().extract()
          .jsonPath().getList("findAll { it.connected }.lastAck").contains((int) retried), "the ack recorded");
      assertThat(apply(document, true)).isEqualTo(retried);
    }
  }

  /** POST /v1/apply, as ./outpost deploy sends a file: the revision it answers, and whether it changed nothing. */
  private static long apply(byte[] document, boolean unchanged) {
    return ((Number) given().header("Authorization", ADMIN).contentType("application/yaml").body(document)
        .post("/v1/apply").then().statusCode(200).body("unchanged", org.hamcrest.Matchers.equalTo(unchanged))
        .extract().path("revision")).longValue();
  }

  /**
   * An agent running a newer revision than this control plane's (whose state was reset and counts
   * from 1 again) refuses every older revision: the control plane sent nothing and said nothing. It
   * says so at WARN, naming both revisions and what to do, and in the agent's record.
   */
  @Test
  void anAgentAheadOfThisControlPlaneIsToldOfAtWarnAndInItsRecord() throws Exception {
    long revision = putExample();
    long ahead = revision + 1000;
    try (LogLines log = LogLines.of(AgentConnections.class); FakeAgent agent = new FakeAgent(DATA_PLANE)) {
      agent.send(new Hello(1, "local", "test", ahead, List.of()));
      ConnectEndpointTest.await(() -> !log.containing("revision " + ahead).isEmpty(), "the warning");
      assertThat(log.containing("revision " + ahead)).singleElement().satisfies(line -> assertThat(line)
          .contains("newer than this control plane's newest, revision " + revision)
          .contains("agent/applied.json"));
      assertThat(given().header("Authorization", ADMIN).get("/v1/agents").then().statusCode(200).extract()
          .jsonPath().getList("findAll { it.connected }.warning", String.class))
          .anySatisfy(warning -> assertThat(warning).contains("runs revision " + ahead));
      assertThat(agent.frames).noneMatch(f -> decodes(f, Snapshot.class));
    }
  }

  @Test
  void doesNotResendWhatTheAgentAlreadyRuns() throws Exception {
    long revision = putExample();
    try (FakeAgent agent = new FakeAgent(DATA_PLANE)) {
      agent.send(new Hello(1, "local", "test", revision, List.of()));
      agent.send(new Ping("after-hello"));
      agent.await(Pong.class);
      assertThat(agent.frames).noneMatch(f -> decodes(f, Snapshot.class));
    }
  }

  @Test
  void closesWithTheProtocolsCodes() throws Exception {
    try (FakeAgent agent = new FakeAgent(DATA_PLANE)) {
      agent.send(new Ping("too-early"));
      ConnectEndpointTest.await(() -> agent.closed, "the connection closes");
      assertThat(agent.closeCode).isEqualTo((short) 4000);
    }
    try (FakeAgent agent = new FakeAgent(DATA_PLANE)) {
      agent.send(new Hello(2, "local", "test", 0, List.of()));
      ConnectEndpointTest.await(() -> agent.closed, "the connection closes");
      assertThat(agent.closeCode).isEqualTo((short) 4002);
    }
    try (FakeAgent agent = new FakeAgent(DATA_PLANE)) {
      agent.send(new Hello(1, "someone-else", "test", 0, List.of()));
      ConnectEndpointTest.await(() -> agent.closed, "the connection closes");
      assertThat(agent.closeCode).isEqualTo((short) 4003);
    }
    try (FakeAgent older = new FakeAgent(DATA_PLANE); FakeAgent newer = new FakeAgent(DATA_PLANE)) {
      older.send(new Hello(1, "local", "test", 0, List.of()));
      older.send(new Ping("p"));
      older.await(Pong.class);
      newer.send(new Hello(1, "local", "test", 0, List.of()));
      ConnectEndpointTest.await(() -> older.closed, "the older connection closes");
      assertThat(older.closeCode).isEqualTo((short) 4004);
      assertThat(newer.closed).isFalse();
    }
  }

  @Test
  void closesOnABinaryFrameAndOnAMessageOverTheLimitSentInFragments() throws Exception {
    try (FakeAgent agent = new FakeAgent(DATA_PLANE)) {
      agent.send(new Hello(1, "local", "test", 0, List.of()));
      agent.socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(new byte[] {1, 2, 3}));
      ConnectEndpointTest.await(() -> agent.closed, "the connection closes");
      assertThat(agent.closeCode).isEqualTo((short) 1003);
    }
    try (FakeAgent agent = new FakeAgent(DATA_PLANE)) {
      agent.send(new Hello(1, "local", "test", 0, List.of()));
      // split into frames of 64 KiB, each under the frame limit, the whole over the message limit
      agent.socket.writeTextMessage("x".repeat(ProtocolCodec.MAX_FRAME_BYTES + 1));
      ConnectEndpointTest.await(() -> agent.closed, "the connection closes");
      assertThat(agent.closeCode).isEqualTo((short) 1009);
    }
  }

  /**
   * One frame past the limit is refused by Netty ("Max frame length of 16777216 has been
   * exceeded"), before Vert.x's message check: the connection was dropped without a close frame,
   * not closed with the 1009 PROTOCOL.md sections 2 and 11 give. The agent here is written by hand
   * and sends the frame's head alone: one sending the whole frame is reset before it reads the close.
   */
  @Test
  void closesOnAMessageOverTheLimitInOneFrame() throws Exception {
    try (RawWebSocket agent = RawWebSocket.connect(connect.getPort(), "/v1/connect", "Authorization: " + DATA_PLANE)) {
      // the head first: Vert.x does not flush a close frame written while it reads frames before it
      agent.sendTextHead(ProtocolCodec.MAX_FRAME_BYTES + 1L);
      assertThat(agent.awaitCloseCode()).isEqualTo(1009);
    }
  }

  @Test
  void theAgentsViewNeedsTheAdminToken() {
    given().get("/v1/agents").then().statusCode(401);
    given().header("Authorization", DATA_PLANE).get("/v1/agents").then().statusCode(401);
  }

  @Test
  void takesAStatusOfSeveralMebibytesSentAsOneFrame() throws Exception {
    List<Status.IntegrationStatus> integrations = new java.util.ArrayList<>();
    for (int i = 0; i < 25_000; i++) {
      integrations.add(new Status.IntegrationStatus("integration-" + i, "project", "1.0.0", "Ready", 1, 1, null));
    }
    Status status = new Status(3, "local", Instant.now(), 0, 0, integrations, new Status.GatewayStatus(0, 0, true));
    assertThat(ProtocolCodec.encode(status).length()).isGreaterThan(2 * 1024 * 1024);
    try (FakeAgent agent = new FakeAgent(DATA_PLANE, ProtocolCodec.MAX_FRAME_BYTES)) {
      agent.send(new Hello(1, "local", "test", 1_000_000_000L, List.of()));
      agent.send(status);
      assertThat(agent.await(StatusAck.class).seq()).isEqualTo(3);
      assertThat(agent.closed).isFalse();
    }
  }
}
