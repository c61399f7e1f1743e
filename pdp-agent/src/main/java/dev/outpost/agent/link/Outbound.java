package dev.outpost.agent.link;

import dev.outpost.spec.protocol.Ping;
import dev.outpost.spec.protocol.Pong;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.impl.WebSocketInternal;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * What the agent sends on one connection, holding a bounded amount for a control plane that does
 * not read it: a stuck process, or one sending pings as fast as it can to fill the agent's memory
 * with pongs. Two kinds of message:
 *
 * <ul>
 *   <li>{@code ping} and {@code pong} never wait behind unread data (the WebSocket's write queue
 *       full). A ping of ours would prove nothing there; of the control plane's pings that come
 *       meanwhile only the newest is answered, once the queue drains, as RFC 6455 (section 5.5.3)
 *       lets an endpoint answer only the most recent ping.
 *   <li>{@code hello}, {@code status}, {@code ack} and {@code nack} wait, while all that waits to be
 *       written stays within {@code maxUnsentChars}. One that would pass it means the control plane
 *       does not read: the connection is closed at once and {@code gaveUp} told, so that the link
 *       connects again with its backoff, says in {@code hello} what is applied and sends its newest
 *       status. A message alone in the queue always goes, whatever its size.
 * </ul>
 *
 * <p>One WARN line when a control plane stops reading (and an INFO line once it has read all),
 * one when the connection is given up. Thread-safe: the event loop and the applier both send.
 */
final class Outbound {
  private static final Logger LOG = Logger.getLogger(Outbound.class);

  private final WebSocket socket;
  private final long maxUnsentChars;
  private final Runnable gaveUp;
  /** Bounds the lines of a control plane that stops reading again and again. */
  private final ThrottledWarning notReading = new ThrottledWarning(LOG);
  /** Characters handed to the socket and not yet written to the network. */
  private final AtomicLong unsent = new AtomicLong();
  /** The newest ping waiting for the queue to drain. */
  private final AtomicReference<Ping> unanswered = new AtomicReference<>();
  /**
   * Pings that could not be answered at once since all was last written: more than 0 from when the
   * control plane stops reading until it has read all (the queue drains many times in between, as
   * the kernel's socket buffers grow).
   */
  private final AtomicLong waited = new AtomicLong();
  private volatile boolean waitLogged;
  private final AtomicBoolean givenUp = new AtomicBoolean();

  Outbound(WebSocket socket, long maxUnsentChars, Runnable gaveUp) {
    this.socket = socket;
    this.maxUnsentChars = maxUnsentChars;
    this.gaveUp = gaveUp;
    socket.drainHandler(ignored -> drained());
  }

  /** Answers a ping of the control plane now, or once the write queue drains if it is full. */
  void answer(Ping ping) {
    if (!queueFull()) {
      write(ProtocolCodec.encode(new Pong(ping.nonce())));
      return;
    }
    unanswered.set(ping);
    if (waited.getAndIncrement() == 0) {
      waitLogged = notReading.warn("the control plane is not reading what the agent sends (the write queue"
          + " is full): until it reads, only its newest ping is answered");
    }
    if (!queueFull()) {
      drained(); // meanwhile, on the event loop
    }
  }

  /** Sends a ping of ours, unless the write queue is full. */
  void ping(Ping ping) {
    if (!queueFull()) {
      write(ProtocolCodec.encode(ping));
    }
  }

  /** Sends a message the control plane must get, or gives the connection up (see the class comment). */
  void report(ProtocolMessage message) {
    String text = ProtocolCodec.encode(message);
    long waiting = unsent.getAndAdd(text.length());
    if (waiting > 0 && waiting + text.length() > maxUnsentChars) {
      unsent.addAndGet(-text.length());
      giveUp(message.type(), waiting);
      return;
    }
    send(text);
  }

  private void drained() {
    Ping newest = unanswered.getAndSet(null);
    if (newest != null) {
      write(ProtocolCodec.encode(new Pong(newest.nonce())));
    }
  }

  private void allWritten() {
    long pings = waited.getAndSet(0);
    if (pings > 0 && waitLogged) {
      LOG.infof("all that waited for the control plane is written; %d of its pings could not be answered at once",
          pings);
    }
  }

  private void giveUp(String type, long waiting) {
    if (!givenUp.compareAndSet(false, true)) {
      return;
    }
    LOG.warnf("the control plane does not read what the agent sends: %d characters wait, and a %s would pass"
        + " the limit of %d; closing the connection to make a new one", waiting, type, maxUnsentChars);
    gaveUp.run();
    abort(); // a close frame would wait behind what is unread, as long as the control plane likes
  }

  /**
   * Drops the connection at once, with all that waits to be written. Vert.x closes a connection only
   * once what was written before has gone (its close frame, or an empty buffer when the channel is
   * closed through it), which a control plane that reads nothing never lets happen: the close starts
   * below Vert.x's handler.
   */
  void abort() {
    if (socket instanceof WebSocketInternal internal) {
      internal.channelHandlerContext().close();
    } else {
      socket.close((short) 1001, "not reading");
    }
  }

  private void write(String text) {
    unsent.addAndGet(text.length());
    send(text);
  }

  /** Writes text already counted in {@link #unsent}, uncounting it once written or failed. */
  private void send(String text) {
    try {
      socket.writeTextMessage(text).onComplete(written -> {
        if (unsent.addAndGet(-text.length()) == 0) {
          allWritten();
        }
      }).onFailure(e -> LOG.debugf("could not send a frame: %s", e.getMessage()));
    } catch (IllegalStateException closed) {
      unsent.addAndGet(-text.length());
    }
  }

  private boolean queueFull() {
    try {
      return socket.writeQueueFull();
    } catch (IllegalStateException closed) {
      return true;
    }
  }
}
