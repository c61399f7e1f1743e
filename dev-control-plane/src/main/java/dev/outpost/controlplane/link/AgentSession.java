package dev.outpost.controlplane.link;

import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;
import dev.outpost.spec.protocol.Status;
import io.vertx.core.http.ServerWebSocket;
import java.time.Instant;

/** One agent's open connection and what it said. Mutated on the connection's event loop. */
final class AgentSession {
  final String id;
  final ServerWebSocket socket;
  final Instant connectedAt = Instant.now();
  volatile long lastHeard = System.nanoTime();
  volatile Hello hello;
  volatile long lastAck;
  volatile long lastSent;
  volatile AgentRecord.Rejection lastNack;
  volatile Status status;
  volatile boolean open = true;
  /** What the operator should know of this agent, null when nothing. */
  volatile String warning;
  long pingTimer = -1;
  volatile long silenceTimer = -1;

  AgentSession(String id, ServerWebSocket socket) {
    this.id = id;
    this.socket = socket;
  }

  void send(ProtocolMessage message) {
    send(ProtocolCodec.encode(message));
  }

  void send(String frame) {
    if (open && !socket.isClosed()) {
      socket.writeTextMessage(frame);
    }
  }

  AgentRecord record() {
    Hello said = hello;
    return new AgentRecord(id, said == null ? null : said.dataPlane(), said == null ? null : said.agentVersion(),
        open, connectedAt, said == null ? 0 : said.lastAppliedRevision(), lastAck, lastNack, status, warning);
  }
}
