package dev.outpost.agent.link;

import dev.outpost.agent.DesiredStateKeeper;
import dev.outpost.agent.status.StatusOutbox;
import dev.outpost.edge.WebSocketChannel;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.protocol.Ping;
import dev.outpost.spec.protocol.Pong;
import dev.outpost.spec.protocol.ProtocolMessage;
import dev.outpost.spec.protocol.ReconnectBackoff;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.protocol.StatusAck;
import dev.outpost.spec.tls.ExtraCas;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.core.net.TrustOptions;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;

/**
 * The one outbound connection to the control plane. Opens the WebSocket with the data plane's
 * bearer token, says {@code hello} with the revision it enforces, resends the newest
 * status, hands snapshots to the {@link DesiredStateKeeper} (off the event loop, one at a time, and
 * of several waiting only the newest)
 * and answers with its {@code ack}/{@code nack}. It pings every {@code pingInterval}; a connection
 * from which not a byte arrived for {@code livenessTimeout} is dropped as soon as that much time has
 * passed. Every loss is followed by a reconnect after a capped, fully jittered exponential backoff.
 * Nothing here changes what runs: losing the control plane only stops updates.
 *
 * <p>A frame over {@link #LARGE_FRAME_CHARS} is not read on the event loop, which would hold the
 * link's pings and frames (and whatever else shares the loop) for as long as a second: a worker reads
 * it while the connection is paused, so that no later frame overtakes it. A snapshot waits for the
 * applier as its text alone and is decoded by the applier, one at a time: of the largest snapshots
 * the agent then holds at once the one enforced, the one being applied, one waiting and one arriving
 * (BacklogHeapTest), each once. What is sent is bounded by {@link Outbound} for a control plane that
 * does not read.
 */
public final class ControlPlaneLink implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ControlPlaneLink.class);

  /**
   * Frames longer than this are decoded on a worker: 64 Ki characters parse in well under a
   * millisecond, and every message but a snapshot is far smaller (a nonce is at most 128 characters).
   */
  static final int LARGE_FRAME_CHARS = 64 * 1024;

  /** How long a close frame may take to be written before the connection is dropped without it. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  private final ThrottledWarning malformedFrames = new ThrottledWarning(LOG);
  private final ThrottledWarning unexpectedFrames = new ThrottledWarning(LOG);

  private final Vertx vertx;
  private final LinkOptions options;
  private final DesiredStateKeeper keeper;
  private final StatusOutbox outbox;
  private final Executor applier;
  private final ReconnectBackoff backoff;
  private final ConnectFailureLog connectFailures = new ConnectFailureLog();
  private final WebSocketClient client;
  private final AtomicReference<Waiting> pending = new AtomicReference<>();
  private final AtomicInteger socketsOpen = new AtomicInteger();
  private volatile boolean stopped = true;
  /** Grows with every start; connect attempts and timers of an earlier one are dropped. */
  private long generation;
  private volatile Session session;
  private long reconnectTimer = -1;

  /** One open connection, what it sends, and its timer. */
  private static final class Session {
    final WebSocket socket;
    final Outbound out;
    final long openedAt = System.nanoTime();
    volatile long lastHeard = System.nanoTime();
    long pingTimer = -1;
    volatile long silenceTimer = -1;
    volatile boolean ended;

    Session(WebSocket socket, long maxUnsentChars, Consumer<Session> gaveUp) {
      this.socket = socket;
      this.out = new Outbound(socket, maxUnsentChars, () -> gaveUp.accept(this));
    }
  }

  /**
   * @param applier runs snapshot handling off the event loop; must run tasks one at a time, in order
   */
  public ControlPlaneLink(Vertx vertx, LinkOptions options, DesiredStateKeeper keeper, StatusOutbox outbox,
      Executor applier, RandomGenerator random) {
    this.vertx = vertx;
    this.options = options;
    this.keeper = keeper;
    this.outbox = outbox;
    this.applier = applier;
    this.backoff = new ReconnectBackoff(random);
    WebSocketClientOptions clientOptions = new WebSocketClientOptions()
        .setMaxMessageSize(LinkOptions.MAX_MESSAGE_BYTES)
        // The protocol limits messages, not frames: a control plane may send a whole snapshot as one frame.
        .setMaxFrameSize(LinkOptions.MAX_MESSAGE_BYTES)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.livenessTimeout().toMillis()))
        .setVerifyHost(true);
    // the JVM's CAs and the file's: a private CA added for a TLS-inspecting proxy keeps public control planes reachable
    options.caFile().ifPresent(ca -> clientOptions.setTrustOptions(
        TrustOptions.wrap(ExtraCas.withJvms(ca, "outpost.agent.control-plane.ca-file"))));
    options.proxy().ifPresent(proxy -> clientOptions.setProxyOptions(proxyOptions(proxy)));
    this.client = vertx.createWebSocketClient(clientOptions);
    // The Vert.x in use never cancels a handshake timer whose id is 0 (eclipse-vertx/vert.x#5578),
    // which would close a fresh Vertx's first connection once the handshake timeout passed: spend id 0.
    vertx.cancelTimer(vertx.setTimer(1, ignored -> { }));
  }

  /** An HTTP CONNECT proxy, with the user and password its URI carries (percent-decoded), if any. */
  static ProxyOptions proxyOptions(URI proxy) {
    ProxyOptions options = new ProxyOptions().setType(ProxyType.HTTP).setHost(proxy.getHost()).setPort(proxy.getPort());
    String userInfo = proxy.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      options.setUsername(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
      if (colon >= 0) {
        options.setPassword(decode(userInfo.substring(colon + 1)));
      }
    }
    return options;
  }

  private static String decode(String part) {
    return java.net.URLDecoder.decode(part.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Starts connecting; returns at once. */
  public synchronized void start() {
    if (!stopped) {
      return;
    }
    stopped = false;
    generation++;
    connect(generation);
  }

  /** Whether a connection is open now. */
  public boolean connected() {
    return session != null;
  }

  /**
   * Whether work begun in {@code started} (a connect attempt, a reconnect timer) is still wanted: a
   * stop, or a stop and a new start, makes it stale, so that one link never runs two connections.
   */
  private synchronized boolean current(long started) {
    return !stopped && started == generation;
  }

  private void connect(long started) {
    if (!current(started)) {
      return;
    }
    WebSocketConnectOptions connect = new WebSocketConnectOptions()
        .setAbsoluteURI(options.url().toString())
        // A peer (or proxy) that takes the connection and never answers the upgrade must not hold the agent forever.
        .setTimeout(options.livenessTimeout().toMillis())
        .addHeader("Authorization", "Bearer " + options.token());
    client.connect(connect).onSuccess(socket -> opened(socket, started)).onFailure(e -> {
      if (current(started)) {
        connectFailures.failed(options.url(), e);
        scheduleReconnect();
      }
    });
  }

  private void opened(WebSocket socket, long started) {
    Session current = new Session(socket, options.maxUnsentChars(),
        given -> ended(given, "the control plane does not read what the agent sends"));
    if (!current(started)) {
      socket.close();
      return;
    }
    connectFailures.connected();
    LOG.infof("connected to the control plane at %s", options.url());
    socket.textMessageHandler(frame -> onFrame(current, frame));
    // every byte read counts as heard: a large snapshot over a slow link takes longer than the
    // liveness timeout to arrive whole, even as fragments, and was cut off and sent again, for ever
    if (!WebSocketChannel.onRead(socket, () -> heard(current))) {
      socket.frameHandler(frame -> heard(current)); // another WebSocket implementation: whole frames at least
    }
    WebSocketChannel.validateUtf8(socket);
    socket.binaryMessageHandler(data -> {
      LOG.warnf("the control plane sent a binary frame (%d bytes): closing, as the protocol requires", data.length());
      close(current, (short) 1003, "binary frames are not part of the protocol");
    });
    socketsOpen.incrementAndGet();
    socket.closeHandler(ignored -> {
      socketsOpen.decrementAndGet();
      Short code = socket.closeStatusCode();
      String why = code == null ? "" : CloseCodes.describe(code, socket.closeReason());
      if (code != null && CloseCodes.needsOperator(code)) {
        // reconnecting cannot mend it until someone acts: said at ERROR (PROTOCOL.md section 11)
        LOG.errorf("the control plane refused this agent: %s", why);
      }
      ended(current, "closed by the control plane" + (code == null ? "" : " (" + why + ")"));
    });
    socket.exceptionHandler(e -> {
      // Vert.x drops a message past the size limit and leaves the connection open: close it as
      // PROTOCOL.md section 5 says (1009), or it would linger beside the next one
      ended(current, "connection error: " + e.getMessage());
      if (tooBig(e)) {
        close(current, (short) 1009, "message too big");
      } else if (!notUtf8(e)) { // that check has closed it already, with 1007
        close(current, (short) 1011, "connection error");
      }
    });
    // hello goes first and at once (PROTOCOL.md section 4): not queued behind an apply in progress,
    // which could let a ping go first and the control plane close the connection (4000)
    report(current, new Hello(ProtocolMessage.VERSION, options.dataPlane(), options.agentVersion(),
        keeper.lastAppliedRevision(), options.capabilities()));
    outbox.forNewConnection().ifPresent(status -> report(current, status));
    // Published only now, so that a status reported meanwhile cannot go before hello.
    synchronized (this) {
      if (current.ended) {
        return; // closed meanwhile; ended() has scheduled the reconnect
      }
      if (!current(started)) {
        current.ended = true; // stale: no reconnect of its own
        socket.close();
        return;
      }
      session = current;
      current.pingTimer = vertx.setPeriodic(options.pingInterval().toMillis(),
          id -> current.out.ping(new Ping(UUID.randomUUID().toString())));
      watchSilence(current, options.livenessTimeout().toNanos());
    }
  }

  /**
   * Whether {@code e} refuses a message past the size limit: Vert.x's, on a message of many frames,
   * or Netty's, on one frame (which Vert.x then closes the connection on, after this close frame).
   */
  private static boolean tooBig(Throwable e) {
    if (e instanceof CorruptedWebSocketFrameException corrupted) {
      return corrupted.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
    }
    return e.getMessage() != null && e.getMessage().contains("max message size");
  }

  /** Whether {@code e} refuses text that is not UTF-8 ({@link WebSocketChannel#validateUtf8}). */
  private static boolean notUtf8(Throwable e) {
    return e instanceof CorruptedWebSocketFrameException corrupted
        && corrupted.closeStatus().code() == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code();
  }

  /** Heard from the control plane: any byte read, or any frame where bytes cannot be watched. */
  private static void heard(Session current) {
    current.lastHeard = System.nanoTime();
  }

  /**
   * Drops the connection once nothing was heard for the liveness timeout, looked at when that much
   * time has passed since it was last heard from: looked at only when a ping was due, the silence
   * lasted up to a ping interval longer (120 s for PROTOCOL.md's 90 s).
   */
  private void watchSilence(Session current, long afterNanos) {
    current.silenceTimer = vertx.setTimer(Math.max(1, (afterNanos + 999_999) / 1_000_000), id -> {
      if (current.ended) {
        return;
      }
      long silentNanos = System.nanoTime() - current.lastHeard;
      long timeoutNanos = options.livenessTimeout().toNanos();
      if (silentNanos < timeoutNanos) {
        watchSilence(current, timeoutNanos - silentNanos);
        return;
      }
      ended(current, "nothing heard for " + Duration.ofNanos(silentNanos).toMillis() + " ms: connection presumed dead");
      close(current, (short) 1001, "liveness timeout");
    });
  }

  private void onFrame(Session current, String frame) {
    heard(current);
    if (current.ended) {
      return; // failed (text that is not UTF-8, say): nothing more is read from it
    }
    if (frame.length() > LARGE_FRAME_CHARS) {
      current.socket.pause();
      vertx.executeBlocking(() -> Incoming.of(frame), true).onComplete(read -> {
        current.socket.resume();
        if (read.succeeded()) {
          handle(current, frame, read.result());
        } else {
          malformedFrames.warn("ignored a frame from the control plane that could not be read: %s",
              read.cause().toString());
        }
      });
      return;
    }
    handle(current, frame, Incoming.of(frame));
  }

  /**
   * What a frame is: a snapshot, by what it claims (left to the applier to decode, which answers a
   * malformed one), or another message, decoded.
   */
  private record Incoming(SnapshotClaim snapshot, DecodedFrame other) {
    static Incoming of(String frame) {
      SnapshotClaim claim = SnapshotClaim.of(frame);
      return claim.snapshot() ? new Incoming(claim, null) : new Incoming(null, DecodedFrame.of(frame));
    }
  }

  /** Acts on a frame read, on the event loop. */
  private void handle(Session current, String frame, Incoming incoming) {
    if (incoming.snapshot() != null) {
      queue(new Waiting(current, frame, incoming.snapshot().revision()));
      return;
    }
    DecodedFrame decoded = incoming.other();
    ProtocolMessage message = decoded.message();
    if (message == null) {
      malformedFrames.warn("ignored a malformed frame from the control plane: %s", decoded.problem().getMessage());
    } else if (message instanceof Ping ping) {
      current.out.answer(ping);
    } else if (message instanceof StatusAck ack) {
      outbox.acknowledge(ack.seq());
    } else if (!(message instanceof Pong)) {
      unexpectedFrames.warn("ignored a %s frame: the control plane does not send those", message.type());
    }
  }

  /**
   * Connections opened and not closed yet: more than one only while one that ended has not closed.
   * Visible for tests.
   */
  int socketsOpen() {
    return socketsOpen.get();
  }

  /** Whether a snapshot is waiting for the applier. Visible for tests. */
  boolean snapshotWaiting() {
    return pending.get() != null;
  }

  /**
   * Keeps only the newest snapshot waiting for the applier: every snapshot is a complete state, so
   * one that arrives while another waits replaces it unanswered (PROTOCOL.md section 4, rule 4), the
   * newest by revision, not by arrival: an older one, or a malformed one whose revision cannot be
   * read, arriving after it left a newer revision unanswered until the next state change (the ack of
   * a newer revision is what supersedes a skipped one). A control plane that sends faster than the
   * agent applies thus costs one frame of memory, not one per frame.
   */
  private void queue(Waiting snapshot) {
    Waiting before = pending.getAndUpdate(waiting -> waiting == null || waiting.session().ended
        || snapshot.revision() >= waiting.revision() ? snapshot : waiting);
    if (before == null) {
      applier.execute(this::applyPending);
    }
  }

  private void applyPending() {
    if (answerPending()) {
      reportStatus(); // the frame and what it decoded to are no longer held while the status is observed
    }
  }

  /** Decides on the waiting snapshot and answers it; false when there was none to answer. */
  private boolean answerPending() {
    Waiting next = pending.getAndSet(null);
    if (next == null) {
      return false;
    }
    if (next.session().ended) {
      // Its connection is gone (lost, or stopped because this replica no longer leads): nobody would
      // get the reply, and the control plane sends its newest snapshot again after the next hello.
      LOG.infof("dropped snapshot revision %d: its connection has closed", next.revision());
      return false;
    }
    // decoded now, by the applier: the one tree of a waiting snapshot built at a time
    DecodedFrame decoded = DecodedFrame.of(next.frame());
    if (decoded.message() instanceof Snapshot snapshot) {
      report(next.session(), keeper.onSnapshot(snapshot, next.frame()));
    } else if (decoded.problem() != null) {
      report(next.session(), keeper.onMalformedSnapshot(next.revision(), decoded.problem()));
    }
    return true;
  }

  /**
   * A frame waiting for the applier, as received: a snapshot, or a malformed one that claims to be.
   *
   * @param revision the revision it claims, 0 when that cannot be read
   */
  private record Waiting(Session session, String frame, long revision) {}

  /**
   * Tells the control plane that a revision it had a {@code nack} for applied when tried again
   * ({@link dev.outpost.agent.DesiredStateKeeper#retryIfDue}), then the status; off the event loop.
   * Not connected, the next {@code hello} says so.
   */
  public void reportRetried(Ack applied) {
    Session current = session;
    if (current != null) {
      report(current, applied);
    }
    reportStatus();
  }

  /** Observes the status and sends it if it changed; call it off the event loop. */
  public void reportStatus() {
    Status observed = keeper.observeStatus();
    outbox.offer(observed).ifPresent(status -> {
      Session current = session;
      if (current != null) {
        report(current, status);
      }
    });
  }

  /** Sends hello, status, ack or nack, which the control plane must get. */
  private void report(Session current, ProtocolMessage message) {
    if (!current.ended && !current.socket.isClosed()) {
      current.out.report(message);
    }
  }

  /**
   * Closes with a close frame, and drops the connection if it is still open after {@link #CLOSE_GRACE}:
   * behind data a control plane does not read, the frame would never be written, and the connection
   * with all it holds would stay.
   */
  private void close(Session current, short code, String reason) {
    current.socket.close(code, reason);
    vertx.setTimer(CLOSE_GRACE.toMillis(), id -> current.out.abort());
  }

  private synchronized void ended(Session current, String why) {
    if (current.ended) {
      return;
    }
    current.ended = true;
    vertx.cancelTimer(current.pingTimer);
    vertx.cancelTimer(current.silenceTimer);
    if (session == current) {
      session = null;
    }
    if (Duration.ofNanos(System.nanoTime() - current.openedAt).compareTo(ReconnectBackoff.STABLE_AFTER) >= 0) {
      backoff.reset();
    }
    if (!stopped) {
      LOG.infof("lost the control plane (%s); what runs is unchanged", why);
      scheduleReconnect();
    }
  }

  private synchronized void scheduleReconnect() {
    if (stopped) {
      return;
    }
    long delay = Math.max(1, backoff.next().toMillis());
    LOG.debugf("reconnecting in %d ms", delay);
    long started = generation;
    reconnectTimer = vertx.setTimer(delay, id -> connect(started));
  }

  /** Stops reconnecting and closes the connection. Can be started again. */
  public synchronized void stop() {
    stopped = true;
    if (reconnectTimer >= 0) {
      vertx.cancelTimer(reconnectTimer);
    }
    Session current = session;
    if (current != null) {
      ended(current, "agent stopping");
      close(current, (short) 1001, "agent stopping");
    }
  }

  @Override
  public void close() {
    stop();
    client.close();
  }
}
