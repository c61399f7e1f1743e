package dev.outpost.controlplane.link;

import dev.outpost.controlplane.ControlPlaneConfig;
import dev.outpost.controlplane.keys.SigningKey;
import dev.outpost.controlplane.state.StateStore;
import dev.outpost.edge.WebSocketChannel;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.protocol.MalformedFrameException;
import dev.outpost.spec.protocol.Nack;
import dev.outpost.spec.protocol.Ping;
import dev.outpost.spec.protocol.Pong;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.protocol.StatusAck;
import dev.outpost.spec.state.StateCodec;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The protocol v1 server side: one session per connected agent. After the agent's {@code hello}
 * it sends the current snapshot if the agent runs an older revision, and every newer one as it is
 * put; it records acks, nacks and status (answering {@code statusAck}), answers pings, pings the
 * agent and drops a connection as soon as it has been silent (not a byte read) for three ping
 * intervals. Close codes are those of PROTOCOL.md section 11; a newer connection of the data plane
 * replaces an older one.
 * An agent that runs a newer revision than this control plane has is told of at WARN and in its
 * record: it refuses every older revision, so nothing is sent to it until one passes its own.
 */
@Singleton
public class AgentConnections {
  private static final Logger LOG = Logger.getLogger(AgentConnections.class);
  private static final int KEPT_CLOSED = 20;
  static final short CLOSE_NOT_HELLO = 4000;
  static final short CLOSE_PROTOCOL = 4002;
  static final short CLOSE_DATA_PLANE = 4003;
  static final short CLOSE_REPLACED = 4004;

  private final Vertx vertx;
  private final StateStore store;
  private final SigningKey key;
  private final ControlPlaneConfig config;
  private final Map<String, AgentSession> sessions = new LinkedHashMap<>();
  private String signedFrame;
  private long signedRevision;

  public AgentConnections(Vertx vertx, StateStore store, SigningKey key, ControlPlaneConfig config) {
    this.vertx = vertx;
    this.store = store;
    this.key = key;
    this.config = config;
    store.onChange(this::push);
    store.retryRefused(this::refuses);
  }

  /** Serves {@code socket}, upgraded from a request on {@code connection}. */
  void open(ServerWebSocket socket, HttpConnection connection) {
    AgentSession session = new AgentSession(UUID.randomUUID().toString(), socket);
    synchronized (this) {
      sessions.put(session.id, session);
      trimClosed();
    }
    socket.textMessageHandler(frame -> onFrame(session, frame));
    // every byte read counts as heard: a large status over a slow link takes longer than the
    // silence timeout to arrive whole, and was cut as silent mid-frame, then sent again, for ever
    if (!WebSocketChannel.onRead(connection, () -> session.lastHeard = System.nanoTime())) {
      socket.frameHandler(frame -> session.lastHeard = System.nanoTime()); // another implementation: whole frames at least
    }
    socket.binaryMessageHandler(data -> {
      LOG.infof("agent %s sent a binary frame (%d bytes): closed, as the protocol requires", session.id, data.length());
      socket.close((short) 1003, "binary frames are not part of the protocol");
    });
    socket.closeHandler(ignored -> closed(session));
    socket.exceptionHandler(e -> {
      // Vert.x drops a message past the size limit and keeps the connection: PROTOCOL.md section 5 closes it (1009)
      if (tooBig(e)) {
        LOG.infof("agent %s sent a message over %d bytes: closed", session.id, ProtocolCodec.MAX_FRAME_BYTES);
        socket.close((short) 1009, "message too big");
      } else {
        LOG.debugf("agent %s: %s", session.id, e.getMessage());
      }
    });
    session.pingTimer = vertx.setPeriodic(config.pingInterval().toMillis(),
        id -> session.send(new Ping(UUID.randomUUID().toString())));
    watchSilence(session, 3 * config.pingInterval().toNanos());
  }

  /**
   * Drops the connection once it has been silent for three ping intervals, looked at when that much
   * time has passed since the agent was last heard from: looked at only when a ping was due, the
   * silence lasted up to a ping interval longer (120 s for PROTOCOL.md's 90 s).
   */
  private void watchSilence(AgentSession session, long afterNanos) {
    session.silenceTimer = vertx.setTimer(Math.max(1, (afterNanos + 999_999) / 1_000_000), id -> {
      if (!session.open) {
        return;
      }
      long silentNanos = System.nanoTime() - session.lastHeard;
      long timeoutNanos = 3 * config.pingInterval().toNanos();
      if (silentNanos < timeoutNanos) {
        watchSilence(session, timeoutNanos - silentNanos);
        return;
      }
      LOG.infof("agent %s silent for 3 ping intervals: dropped", session.id);
      session.socket.close((short) 1001, "liveness timeout");
      closed(session);
    });
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

  private void onFrame(AgentSession session, String frame) {
    session.lastHeard = System.nanoTime();
    ProtocolMessage message;
    try {
      message = ProtocolCodec.decode(frame);
    } catch (MalformedFrameException e) {
      LOG.warnf("agent %s sent a malformed frame: %s", session.id, e.getMessage());
      return;
    }
    if (session.hello == null && !(message instanceof Hello)) {
      session.socket.close(CLOSE_NOT_HELLO, "hello must be the first frame");
      return;
    }
    if (message instanceof Hello hello) {
      if (hello.protocol() != ProtocolMessage.VERSION) {
        session.socket.close(CLOSE_PROTOCOL, "unsupported protocol version " + hello.protocol());
        return;
      }
      if (!store.dataPlane().equals(hello.dataPlane())) {
        session.socket.close(CLOSE_DATA_PLANE, "not this token's data plane");
        return;
      }
      replaceOlderConnections(session);
      session.hello = hello;
      session.lastAck = hello.lastAppliedRevision();
      LOG.infof("agent %s (%s) connected at revision %d", session.id, hello.agentVersion(), hello.lastAppliedRevision());
      long newest = store.current().map(DataPlaneState::revision).orElse(0L);
      if (hello.lastAppliedRevision() > newest) {
        session.warning = aheadOfThis(hello.lastAppliedRevision(), newest);
        LOG.warnf("agent %s %s", session.id, session.warning);
      }
      store.current().ifPresent(state -> offer(session, state));
    } else if (message instanceof Ack ack) {
      session.lastAck = Math.max(session.lastAck, ack.revision());
    } else if (message instanceof Nack nack) {
      session.lastNack = new AgentRecord.Rejection(nack.revision(), nack.errors(), Instant.now());
      LOG.warnf("agent %s refused revision %d: %s", session.id, nack.revision(), nack.errors());
    } else if (message instanceof Status status) {
      session.status = status;
      session.send(new StatusAck(status.seq()));
    } else if (message instanceof Ping ping) {
      session.send(new Pong(ping.nonce()));
    }
  }

  /**
   * An agent ahead of this control plane: its state was reset (its data directory removed) and counts
   * from 1 again, or the agent ran another control plane's. The agent refuses older revisions
   * (PROTOCOL.md section 6), and keeps enforcing its own.
   */
  private static String aheadOfThis(long agentRevision, long newest) {
    return "runs revision " + agentRevision + ", newer than this control plane's newest, revision " + newest
        + " (its state was reset, or the agent ran another control plane's): the agent refuses older revisions and"
        + " keeps what it runs, so nothing is sent to it until a revision passes " + agentRevision + ". To have it"
        + " take this control plane's state, remove its applied snapshot (agent/applied.json under its home; in"
        + " Kubernetes Secret outpost-agent-applied) and restart it";
  }

  /** PROTOCOL.md section 11: one connection per data plane; the newest wins. */
  private void replaceOlderConnections(AgentSession newest) {
    List<AgentSession> older;
    synchronized (this) {
      older = sessions.values().stream().filter(s -> s != newest && s.open && s.hello != null).toList();
    }
    older.forEach(s -> {
      s.socket.close(CLOSE_REPLACED, "replaced by a newer connection");
      closed(s);
    });
  }

  /** Sends {@code state} to every agent that runs an older revision. */
  private void push(DataPlaneState state) {
    List<AgentSession> open;
    synchronized (this) {
      open = sessions.values().stream().filter(s -> s.open && s.hello != null).toList();
    }
    open.forEach(s -> offer(s, state));
  }

  private void offer(AgentSession session, DataPlaneState state) {
    if (state.revision() > session.lastAck && state.revision() > session.lastSent) {
      session.lastSent = state.revision();
      session.warning = null; // no longer ahead
      session.send(signed(state));
    }
  }

  private synchronized String signed(DataPlaneState state) {
    if (signedFrame == null || signedRevision != state.revision()) {
      signedFrame = ProtocolCodec.encode(Snapshot.signed(StateCodec.toTree(state), key.signer()));
      signedRevision = state.revision();
    }
    return signedFrame;
  }

  private void closed(AgentSession session) {
    if (session.open) {
      session.open = false;
      vertx.cancelTimer(session.pingTimer);
      vertx.cancelTimer(session.silenceTimer);
      LOG.infof("agent %s disconnected", session.id);
    }
  }

  private void trimClosed() {
    List<String> closed = new ArrayList<>();
    sessions.values().stream().filter(s -> !s.open).forEach(s -> closed.add(s.id));
    for (int i = 0; i < closed.size() - KEPT_CLOSED; i++) {
      sessions.remove(closed.get(i));
    }
  }

  /** Whether the connected agent's latest answer to {@code revision} is a nack: it has not applied it since. */
  synchronized boolean refuses(long revision) {
    return sessions.values().stream().filter(s -> s.open && s.hello != null).anyMatch(s -> {
      AgentRecord.Rejection nack = s.lastNack;
      return nack != null && nack.revision() == revision && s.lastAck < revision;
    });
  }

  /** Every agent connected now, and the last few that were. */
  public synchronized List<AgentRecord> agents() {
    Collection<AgentSession> all = sessions.values();
    return all.stream().map(AgentSession::record).toList();
  }
}
