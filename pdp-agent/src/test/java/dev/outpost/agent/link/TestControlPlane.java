package dev.outpost.agent.link;

import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.protocol.MalformedFrameException;
import dev.outpost.spec.protocol.Ping;
import dev.outpost.spec.protocol.Pong;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.protocol.StatusAck;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.state.StateCodec;
import dev.outpost.spec.testing.TestTls;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.PfxOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A control plane for tests, speaking spec's protocol over a real WebSocket on loopback: it checks
 * the bearer token, records every frame the agent sends, answers pings and (unless told not to)
 * status, and sends whatever a test asks. It can be stopped and started again on the same port.
 */
public final class TestControlPlane implements AutoCloseable {
  public static final String TOKEN = "test-data-plane-token-0123456789";

  private final Vertx vertx;
  private final SnapshotSigner signer;
  private int port;
  private HttpServer server;
  private volatile ServerWebSocket agent;
  public final List<String> received = new CopyOnWriteArrayList<>();
  public final AtomicInteger connections = new AtomicInteger();
  public final AtomicInteger refusedUpgrades = new AtomicInteger();
  /** Connections open now. */
  public final AtomicInteger open = new AtomicInteger();
  /** The first frame of each connection, in order. */
  public final List<String> firstFrames = new CopyOnWriteArrayList<>();
  /** The close codes the agent sent, in order. */
  public final List<Short> closeCodes = new CopyOnWriteArrayList<>();
  public volatile boolean ackStatus = true;
  /** When true the server says nothing and answers nothing, like a half-dead peer. */
  public volatile boolean silent;
  /** When set, a connection's first frame (hello) is answered by closing it with this code. */
  public volatile Short closeOnHello;
  /**
   * The receive buffer of accepted connections in bytes, 0 for the system's (which grows to many
   * MiB on loopback): set before {@link #start()}, small, for a control plane that stops reading to
   * leave what the agent sends in the agent's memory rather than in this socket's.
   */
  public int receiveBufferBytes;
  /**
   * When set before {@link #start()}, the server speaks TLS with this certificate and {@link #url()}
   * is {@code wss://}.
   */
  public TestTls tls;
  /**
   * With {@link #tls}, connections that failed before HTTP (in the TLS handshake): the attempts of
   * an agent that refuses the certificate, which the requests do not show.
   */
  public final AtomicInteger failedHandshakes = new AtomicInteger();
  /** Every HTTP request, as method and path, whatever its path or token. */
  public final List<String> requests = new CopyOnWriteArrayList<>();

  public TestControlPlane(Vertx vertx, SnapshotSigner signer) {
    this.vertx = vertx;
    this.signer = signer;
  }

  public TestControlPlane start() throws Exception {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port)
        .setMaxWebSocketMessageSize(ProtocolCodec.MAX_FRAME_BYTES)
        // one frame per message, as most WebSocket libraries send them (the protocol limits messages, not frames)
        .setMaxWebSocketFrameSize(ProtocolCodec.MAX_FRAME_BYTES);
    if (receiveBufferBytes > 0) {
      options.setReceiveBufferSize(receiveBufferBytes);
    }
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(new PfxOptions().setPath(tls.keyStore().toString()).setPassword(tls.password()));
    }
    server = vertx.createHttpServer(options);
    if (tls != null) {
      server.exceptionHandler(e -> failedHandshakes.incrementAndGet());
    }
    server.requestHandler(request -> {
      requests.add(request.method().name() + " " + request.path());
      if (!"/v1/connect".equals(request.path())) {
        request.response().setStatusCode(404).end();
        return;
      }
      if (!("Bearer " + TOKEN).equals(request.getHeader("Authorization"))) {
        refusedUpgrades.incrementAndGet();
        request.response().setStatusCode(401).end();
        return;
      }
      request.toWebSocket().onSuccess(this::accepted);
    });
    for (int attempt = 1; ; attempt++) {
      try {
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        if (attempt >= 50) {
          throw e;
        }
        Thread.sleep(100); // the port of the previous run may take a moment to be released
      }
    }
    port = server.actualPort();
    return this;
  }

  private void accepted(ServerWebSocket socket) {
    connections.incrementAndGet();
    open.incrementAndGet();
    socket.closeHandler(ignored -> {
      open.decrementAndGet();
      if (socket.closeStatusCode() != null) {
        closeCodes.add(socket.closeStatusCode());
      }
    });
    agent = socket;
    java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
    socket.textMessageHandler(frame -> {
      if (first.getAndSet(false)) {
        firstFrames.add(frame);
        Short code = closeOnHello;
        if (code != null) {
          socket.close(code, "refused by the test control plane");
          return;
        }
      }
      received.add(frame);
      if (silent) {
        return;
      }
      try {
        ProtocolMessage message = ProtocolCodec.decode(frame);
        if (message instanceof Ping ping) {
          socket.writeTextMessage(ProtocolCodec.encode(new Pong(ping.nonce())));
        } else if (message instanceof Status status && ackStatus) {
          socket.writeTextMessage(ProtocolCodec.encode(new StatusAck(status.seq())));
        }
      } catch (MalformedFrameException e) {
        received.add("MALFORMED " + e.getMessage());
      }
    });
  }

  /** Stops listening and drops the agent's connection. */
  public void stop() throws Exception {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      server = null;
    }
  }

  public String url() {
    return url("127.0.0.1");
  }

  /** The URL through {@code host}, a name of loopback: {@code wss://} with {@link #tls}. */
  public String url(String host) {
    return (tls == null ? "ws" : "wss") + "://" + host + ":" + port + "/v1/connect";
  }

  public void sendRaw(String frame) {
    agent.writeTextMessage(frame);
  }

  /** Stops reading the agent's connection, as a stuck control plane would: what the agent sends waits. */
  public void stopReading() {
    agent.pause();
  }

  public void resumeReading() {
    agent.resume();
  }

  /** Closes the agent's connection, as a control plane restarting or replacing it would. */
  public void disconnect() {
    agent.close();
  }

  /** One text message of {@code chars} characters, sent as fragments of {@code fragmentChars}. */
  public void sendFragmented(int chars, int fragmentChars) {
    String fragment = "x".repeat(fragmentChars);
    int sent = 0;
    while (sent < chars) {
      int size = Math.min(fragmentChars, chars - sent);
      boolean last = sent + size >= chars;
      String text = size == fragmentChars ? fragment : fragment.substring(0, size);
      agent.writeFrame(sent == 0 ? io.vertx.core.http.WebSocketFrame.textFrame(text, last)
          : io.vertx.core.http.WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(text), last));
      sent += size;
    }
  }

  /** Sends {@code state} signed, as {@code fragments} fragments one every {@code gapMillis}: a slow link. */
  public void sendSignedSlowly(DataPlaneState state, int fragments, long gapMillis) {
    String text = ProtocolCodec.encode(Snapshot.signed(StateCodec.toTree(state), signer));
    int size = (text.length() + fragments - 1) / fragments;
    sendFragmentsFrom(text, 0, size, gapMillis);
  }

  private void sendFragmentsFrom(String text, int from, int size, long gapMillis) {
    int to = Math.min(text.length(), from + size);
    boolean last = to == text.length();
    String part = text.substring(from, to);
    agent.writeFrame(from == 0 ? io.vertx.core.http.WebSocketFrame.textFrame(part, last)
        : io.vertx.core.http.WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(part), last));
    if (!last) {
      vertx.setTimer(gapMillis, id -> sendFragmentsFrom(text, to, size, gapMillis));
    }
  }

  /** A text message of these bytes, whatever they are (a text frame's payload must be UTF-8): a frame and its continuation. */
  public void sendTextBytes(byte[] payload) {
    agent.writeFrame(io.vertx.core.http.WebSocketFrame.textFrame("", false));
    agent.writeFrame(io.vertx.core.http.WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(payload), true));
  }

  public void sendBinary(byte[] data) {
    agent.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(data));
  }

  public void send(ProtocolMessage message) {
    sendRaw(ProtocolCodec.encode(message));
  }

  /** Sends {@code state} signed with this control plane's key. */
  public void sendSigned(DataPlaneState state) {
    send(Snapshot.signed(StateCodec.toTree(state), signer));
  }

  public boolean connected() {
    ServerWebSocket socket = agent;
    return socket != null && !socket.isClosed();
  }

  /** Frames of one type the agent sent, decoded. */
  public <T extends ProtocolMessage> List<T> messages(Class<T> type) {
    return received.stream().filter(f -> !f.startsWith("MALFORMED")).map(f -> {
      try {
        return ProtocolCodec.decode(f);
      } catch (MalformedFrameException e) {
        throw new AssertionError(e);
      }
    }).filter(type::isInstance).map(type::cast).toList();
  }

  public <T extends ProtocolMessage> T awaitMessage(Class<T> type, Predicate<T> matching) throws InterruptedException {
    await(() -> messages(type).stream().anyMatch(matching), "a " + type.getSimpleName() + " frame");
    return messages(type).stream().filter(matching).reduce((a, b) -> b).orElseThrow();
  }

  public static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
