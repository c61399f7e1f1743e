package dev.outpost.gateway.proxy;

import dev.outpost.gateway.telemetry.ResponseCut;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The upstream side of one exchange, from the moment its request goes up until its response has
 * fully arrived, bounded by the route's timeout (like Kong's {@code read_timeout}, Envoy's stream
 * idle timeout):
 * <ul>
 *   <li>the wait for the response head, sending the client's body included, as a whole ({@link
 *       #upstreamStoppedReading} tells whose stall it was when the body had not all gone up); once the
 *       body has all gone up the upstream has the whole timeout to answer from then, as Envoy's route
 *       timeout starts at the end of the request (else a client sending its last byte just before
 *       the timeout made the integration's answer late, and opened its breaker);
 *   <li>then every gap in the response body: when no byte arrives for that long, the upstream
 *       request is reset, which closes its connection (never back to the pool, where the rest of
 *       the body would be read as the next request's answer); the proxy then closes the client's
 *       connection, the only way to tell it once the head has gone. A gap while the proxy holds the
 *       body back because the client reads more slowly than the upstream sends is the client's, not
 *       the upstream's, and is not counted (the server's idle timeout bounds that client).
 * </ul>
 * {@link #timedOut()} then tells the breaker. One timer per exchange, as the upstream client's own
 * request timeout would take, moved on only when it fires while bytes are still coming; a body
 * chunk costs a clock read. The object is also the response body as the proxy reads it ({@link
 * #watch}), so watching the body allocates nothing more.
 *
 * <p>A client leaving mid-exchange resets the upstream request at once ({@link #abort}). Once the
 * response has arrived in full the request is never reset, by this class or by the proxy ({@link
 * #forProxy}): Vert.x closes the connection when such a request is reset, and by then that pooled
 * connection may already carry another exchange's request. The response has arrived when its end
 * has been passed on, or earlier, while a slow client still holds the rest back, when the pool hands
 * the connection to the next request ({@link ConnectionTenants}). A response that ends before the
 * request body has all gone up resets the request, closing its connection, as Envoy does (when the
 * client's body has all arrived, after {@value #EARLY_ANSWER_GRACE_MILLIS} ms, in case its end was only held back):
 * Vert.x pools a connection only once both have ended, so nothing else would ever release or time
 * it. Confined to the exchange's event loop.
 */
final class UpstreamExchange implements ReadStream<Buffer> {

  /** The cause of the reset when the route's timeout ran out. */
  static final class UpstreamTimeoutException extends RuntimeException {
    UpstreamTimeoutException(String message) {
      super(message, null, false, false);
    }
  }

  /** Fails the proxy's pipe of a response whose client left once it had all arrived. */
  static final class ClientLeftException extends RuntimeException {
    ClientLeftException() {
      super("the client left", null, false, false);
    }
  }

  private static final Logger LOG = Logger.getLogger(UpstreamExchange.class);
  /** How long a response that ended before its request may wait for the request's end before its connection is closed. */
  static final long EARLY_ANSWER_GRACE_MILLIS = 1000;

  private final Vertx vertx;
  private final long timeoutMillis;
  private final String integration;
  private final ConnectionTenants tenants;
  private final HttpServerRequest client;
  private HttpConnection connection;
  /** The response has arrived in full: a reset would close a connection the pool has taken back. */
  private boolean responseArrived;
  /** Until the response has ended; null after, or once reset. */
  private HttpClientRequest request;
  private long timer = -1;
  /** The proxy has ended the request: its whole body has been handed to it. */
  private boolean requestEnded;
  private long requestEndedAt;
  private boolean headArrived;
  private boolean timedOut;
  private boolean stoppedReading;
  private boolean reusedConnection;
  private long admittedAt;
  private boolean clientLeft;
  /** The proxy reset the request because the client's side of the exchange failed. */
  private boolean clientSideFailed;
  private ReadStream<Buffer> body;
  private long lastBodyActivity;

  // The response body as the proxy reads it: chunks read off the upstream connection ahead of a
  // slow client wait here, within the exchange's share of the response buffers.
  /** Heap a held chunk costs beyond its bytes: one byte at a time must not hold millions of objects. */
  private static final int CHUNK_OVERHEAD = 64;
  private final ResponseBuffers buffers;
  private final Context context;
  private final ArrayDeque<Buffer> held = new ArrayDeque<>();
  private long heldBytes;
  /** Chunks the proxy asks for: all while it flows, none while it is paused. */
  private long demand = Long.MAX_VALUE;
  private Handler<Buffer> dataHandler;
  private Handler<Void> endHandler;
  private Handler<Throwable> failureHandler;
  private boolean drainScheduled;
  /** The upstream body is paused: the buffer is full, or this exchange reads nothing ahead. */
  private boolean upstreamPaused;
  private boolean upstreamEnded;
  private boolean endDelivered;
  /** The response body's failure, as the proxy was told it. */
  private Throwable bodyFailure;

  /**
   * @param client the client's request: only once its whole body has arrived can the upstream
   *     request's end be merely on its way when the response ends first; what it still sends after an
   *     early answer is dropped
   */
  UpstreamExchange(Vertx vertx, long timeoutMillis, String integration, ConnectionTenants tenants,
      ResponseBuffers buffers, HttpServerRequest client) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.buffers = buffers;
    this.timeoutMillis = timeoutMillis;
    this.integration = integration;
    this.tenants = tenants;
    this.client = client;
  }

  /**
   * Bounds {@code sent} by the timeout until its response ends; closes its connection when the
   * response cannot be passed on ({@link UpstreamFailureInterceptor#invalidResponse}). Returns the
   * request for the proxy to send ({@link #forProxy}).
   */
  HttpClientRequest track(HttpClientRequest sent) {
    request = sent;
    clientSideFailed = false; // a retry's attempt: the last one's reset was its own
    connection = sent.connection();
    UpstreamExchange previous = tenants.moveIn(connection, this);
    if (previous != null && previous != this) {
      previous.connectionHandedOver();
    }
    // Vert.x numbers an HTTP/1.1 connection's requests from 1
    reusedConnection = sent.streamId() > 1;
    // the failure reaches the proxy through the response future; without a handler Vert.x logs it as an error
    sent.exceptionHandler(failure -> { });
    // so does a connection's (a response that does not parse, a reset), which Vert.x logged at ERROR
    // without a word of the integration; the connection is shared in turn, so each exchange sets it
    sent.connection().exceptionHandler(failure -> {
      if (UpstreamFailureInterceptor.isMalformedResponse(failure)) {
        LOG.warnf("integration %s sent a response that does not parse: %s", integration, failure.getMessage());
      } else {
        LOG.debugf("connection to integration %s failed: %s", integration, failure);
      }
    });
    timer = vertx.setTimer(timeoutMillis, this::expire);
    sent.response().onComplete(head -> {
      if (head.succeeded()) {
        headArrived = true;
        lastBodyActivity = System.nanoTime();
        head.result().end().onComplete(end -> {
          if (end.succeeded()) {
            responseArrived = true;
          }
          finish();
          if (end.succeeded() && !requestEnded) {
            closeAnsweredEarly(sent);
          }
        });
        if (UpstreamFailureInterceptor.invalidResponse(head.result().statusCode(), head.result().headers()) != null) {
          // answered 502: the rest of what the upstream sent would be read as the answer to the connection's next request
          sent.connection().close();
        }
      } else {
        finish();
      }
    });
    return forProxy(sent);
  }

  /**
   * Closes the connection of a request answered before its body went up (an early 405, say), which
   * is never pooled; unless the client's body has all arrived and its end is only on its way through
   * the proxy, held back a moment while the upstream's queue was full.
   */
  private void closeAnsweredEarly(HttpClientRequest sent) {
    if (!client.isEnded()) {
      sent.reset();
      dropClientBody();
      return;
    }
    vertx.setTimer(EARLY_ANSWER_GRACE_MILLIS, id -> {
      if (!requestEnded) {
        sent.reset();
        dropClientBody();
      }
    });
  }

  /**
   * Reads and drops what the client still sends of a body whose upstream request was reset, so that
   * its end arrives and the connection serves the next request. The proxy's pipe of the body could
   * be left paused, on a full upstream queue, when the reset came: the client's body then stayed
   * unread, and the connection with it (RFC 9110 9.3: read the rest, or close).
   */
  private void dropClientBody() {
    if (!client.isEnded()) {
      client.handler(dropped -> { });
      client.resume();
    }
  }

  /** {@code sent} as the proxy holds it: its resets are ignored once the response has arrived in full. */
  private HttpClientRequest forProxy(HttpClientRequest sent) {
    return ResetGuardedRequest.of(sent, () -> !responseArrived, () -> clientSideFailed = true, this::requestEnded);
  }

  private void requestEnded() {
    if (!requestEnded) {
      requestEnded = true;
      requestEndedAt = System.nanoTime();
    }
  }

  /** The pool gave this exchange's connection to another request: the response has arrived in full. */
  private void connectionHandedOver() {
    responseArrived = true;
    finish();
  }

  /** When the breaker let the latest attempt through ({@link System#nanoTime}). */
  void admittedAt(long nanos) {
    admittedAt = nanos;
  }

  long admittedAt() {
    return admittedAt;
  }

  /** Whether the latest request went out on a connection that had carried others before it. */
  boolean sentOnReusedConnection() {
    return reusedConnection;
  }

  /** Whether the route's timeout ran out (and the upstream request was reset for it). */
  boolean timedOut() {
    return timedOut;
  }

  /**
   * Whether, when the timeout ran out before the response head, the upstream had stopped reading the
   * request body: the connection's write queue was full (its socket too), so the proxy was holding
   * the client's body back. A client that stops sending leaves that queue empty, the upstream having
   * read everything it was sent.
   */
  boolean upstreamStoppedReading() {
    return stoppedReading;
  }

  /** Whether the client left before its exchange ended ({@link #abort}). */
  boolean clientLeft() {
    return clientLeft;
  }

  /** The client left: resets the upstream request if its response is still arriving. */
  void abort() {
    clientLeft = true;
    HttpClientRequest inflight = request;
    finish();
    boolean parked = inflight == null && dataHandler != null && !endDelivered;
    release();
    if (parked && failureHandler != null) {
      // the response had arrived, so no reset fails the proxy's pipe: it would wait for good
      failureHandler.handle(new ClientLeftException());
    }
    if (inflight != null) {
      inflight.reset();
    }
  }

  /** The response body to pipe to the client instead of {@code upstreamBody}, so that its gaps are timed. */
  ReadStream<Buffer> watch(ReadStream<Buffer> upstreamBody) {
    body = upstreamBody;
    return this;
  }

  private void finish() {
    request = null;
    if (connection != null) {
      tenants.moveOut(connection, this);
    }
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void expire(long id) {
    timer = -1;
    HttpClientRequest sent = request;
    if (sent == null) {
      return;
    }
    if (headArrived) {
      long quiet = upstreamPaused ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastBodyActivity);
      if (quiet < timeoutMillis) {
        timer = vertx.setTimer(timeoutMillis - quiet, this::expire);
        return;
      }
    } else if (requestEnded) {
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - requestEndedAt);
      if (waited < timeoutMillis) {
        timer = vertx.setTimer(timeoutMillis - waited, this::expire);
        return;
      }
    }
    timedOut = true;
    stoppedReading = !headArrived && writeQueueFull(sent);
    request = null;
    sent.reset(0, new UpstreamTimeoutException(headArrived
        ? "no bytes of the response body for " + timeoutMillis + " ms"
        : "no response within " + timeoutMillis + " ms"));
  }

  private static boolean writeQueueFull(HttpClientRequest sent) {
    try {
      return sent.writeQueueFull();
    } catch (IllegalStateException ended) {
      return false; // the whole request body has gone up
    }
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    dataHandler = handler;
    if (handler == null) {
      body.handler(null);
      release(); // the proxy is done with the body
    } else {
      body.handler(this::arrived);
    }
    return this;
  }

  /**
   * A chunk read off the upstream connection: passed on when the proxy asks for it and none waits
   * before it, held otherwise; past the exchange's share of the buffers, or the buffers' total, the
   * upstream body is paused (and the connection then stays with the exchange, as before).
   */
  private void arrived(Buffer chunk) {
    lastBodyActivity = System.nanoTime();
    if (held.isEmpty() && demand > 0) {
      passOn(chunk);
      return;
    }
    long cost = chunk.length() + CHUNK_OVERHEAD;
    held.add(chunk);
    heldBytes += cost;
    boolean roomLeft = buffers.take(cost);
    if ((heldBytes >= buffers.perExchange() || !roomLeft) && !upstreamPaused) {
      upstreamPaused = true;
      body.pause();
    }
  }

  private void passOn(Buffer chunk) {
    if (demand != Long.MAX_VALUE) {
      demand--;
    }
    dataHandler.handle(chunk);
  }

  @Override
  public ReadStream<Buffer> pause() {
    demand = 0;
    if (buffers.perExchange() == 0 && !upstreamPaused) {
      upstreamPaused = true;
      body.pause();
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    demand = amount == Long.MAX_VALUE || demand > Long.MAX_VALUE - amount ? Long.MAX_VALUE : demand + amount;
    lastBodyActivity = System.nanoTime();
    if (held.isEmpty() && !(upstreamEnded && !endDelivered)) {
      resumeUpstream();
    } else if (!drainScheduled) {
      // passed on from the event loop, as Vert.x's own buffer does: the proxy may be resuming from
      // inside a handler of this stream
      drainScheduled = true;
      context.runOnContext(v -> {
        drainScheduled = false;
        drain();
      });
    }
    return this;
  }

  /** Passes held chunks on while the proxy asks, then the end once none is left; reads on when there is room. */
  private void drain() {
    if (clientLeft) {
      return; // what was held is dropped, not delivered: no end follows it
    }
    while (demand > 0 && dataHandler != null && !held.isEmpty()) {
      Buffer chunk = held.poll();
      long cost = chunk.length() + CHUNK_OVERHEAD;
      heldBytes -= cost;
      buffers.give(cost);
      passOn(chunk);
    }
    if (held.isEmpty() && upstreamEnded && !endDelivered && endHandler != null) {
      endDelivered = true;
      endHandler.handle(null);
      return;
    }
    // never paused with nothing held: the proxy, flowing, would not ask again, and the exchange would
    // stall until the client's idle timeout, however much the others hold
    if (upstreamPaused && (held.isEmpty() || heldBytes <= buffers.perExchange() / 2 && buffers.roomLeft())) {
      resumeUpstream();
    }
  }

  /** Lets the upstream body flow: always asked, as the proxy may have paused it itself before piping it. */
  private void resumeUpstream() {
    if (!upstreamEnded) {
      upstreamPaused = false;
      body.resume();
    }
  }

  /** Gives back what the exchange holds: its client left, the upstream failed, or the proxy is done. */
  private void release() {
    if (heldBytes > 0) {
      buffers.give(heldBytes);
    }
    held.clear();
    heldBytes = 0;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> handler) {
    endHandler = handler;
    if (handler == null) {
      body.endHandler(null);
    } else {
      body.endHandler(v -> {
        upstreamEnded = true;
        upstreamPaused = false;
        if (held.isEmpty() && !endDelivered) {
          endDelivered = true;
          handler.handle(null);
        }
      });
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    failureHandler = handler;
    if (handler == null) {
      body.exceptionHandler(null);
    } else {
      body.exceptionHandler(failure -> {
        if (!clientSideFailed && !clientLeft) {
          bodyFailure = failure; // otherwise it fails from the reset that answered the client's leaving
        }
        release();
        handler.handle(failure);
      });
    }
    return this;
  }

  /**
   * Who cut the response whose passing on failed with {@code failure}: the integration when that is
   * its body's own failure (the route's timeout included), otherwise the client, whose side failed
   * first: the proxy then resets the upstream request, which fails the body in turn (and reaches the
   * proxy's pipe first when no write to the client was outstanding, a body pausing, say).
   */
  ResponseCut cutBy(Throwable failure) {
    return failure != null && failure == bodyFailure ? ResponseCut.INTEGRATION : ResponseCut.CLIENT;
  }
}
