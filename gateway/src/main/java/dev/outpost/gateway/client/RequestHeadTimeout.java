package dev.outpost.gateway.client;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * One connection's deadline for a complete request head: from the moment the connection is ready
 * for one (it opened, or every request on it has been answered) the client has {@code timeout} to
 * send a whole request line and headers, or the connection is closed; nginx's
 * {@code client_header_timeout}. The server's idle timeout alone could not do this: each byte resets
 * it, so a client sending a header byte every few seconds (slowloris) held a connection for ever.
 * A request in flight is never timed by this, whatever its body or its response take. It also mends
 * the heads Vert.x and its proxy get wrong, both ways ({@link HttpHeadRepairs}).
 *
 * <p>It sits just before Vert.x's connection handler ({@code edge.ConnectionHandlers}), so it sees decoded request heads coming in and
 * response objects going out. One timer per connection, rescheduled when it fires (as Netty's
 * {@code IdleStateHandler} does), so a request costs a clock read and no timer.
 */
final class RequestHeadTimeout extends ChannelDuplexHandler {

  static final String NAME = "outpost-request-head-timeout";

  private final long timeoutNanos;
  private final LongAdder timedOut;
  /** When the connection became ready for a request head; -1 while a request is in flight. */
  private long readySince;
  /** Requests whose head arrived and whose response has not ended (several when pipelined). */
  private int inFlight;
  private Future<?> check;
  /** The open connections' timeouts, this one among them while its handler is in place. */
  private final Set<RequestHeadTimeout> open;
  private volatile ChannelHandlerContext context;
  /** Whether it has answered a request and waits for another: a keep-alive connection. */
  private boolean kept;

  /** Whether a request body's framing failed: nothing more is read, and the connection closes after its answers. */
  private boolean closeAfterAnswers;

  /** Whether the process is stopping (the shutdown delay): connections close after their answers. */
  private final BooleanSupplier stopping;

  RequestHeadTimeout(long timeoutNanos, LongAdder timedOut, Set<RequestHeadTimeout> open, BooleanSupplier stopping) {
    this.timeoutNanos = timeoutNanos;
    this.timedOut = timedOut;
    this.open = open;
    this.stopping = stopping;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    readySince = System.nanoTime();
    context = ctx;
    open.add(this);
    schedule(ctx, timeoutNanos);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    open.remove(this);
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  /**
   * Closes the connection if it is kept alive between requests, on its own event loop, so that a
   * request head read there first keeps it open (its answer then says {@code Connection: close}).
   * A new connection waiting for its first request is left: its client is sending one, which a close
   * would lose where a client retries on a kept one.
   */
  void closeIfIdle() {
    ChannelHandlerContext ctx = context;
    if (ctx != null) {
      ctx.executor().execute(() -> {
        if (kept && readySince >= 0 && inFlight == 0 && ctx.channel().isOpen()) {
          ctx.close();
        }
      });
    }
  }

  /**
   * Keeps the server's idle timeout ({@code quarkus.http.idle-timeout}) from closing a connection
   * whose request waits on its integration: Vert.x closes a connection on which nothing moved for
   * that long, a request in flight or not, so a route allowed more (up to 300 s) or a stream quiet
   * between two events was cut with no answer. The route's timeout bounds that wait ({@code
   * UpstreamExchange}), as nginx and Envoy time a request by the upstream's pace, not the
   * connection's. A connection that cannot take more output is still closed: its client stopped
   * reading, which only the idle timeout bounds.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent && inFlight > 0 && ctx.channel().isWritable()) {
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      HttpHeadRepairs.request(request);
      inFlight++;
      readySince = -1;
    } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      bodyFramingFailed(ctx, content);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * Netty's decoder could not read the request body's chunked framing and reads nothing more from
   * this connection. Passed on, Vert.x would close the connection at once, unanswered (recorded as the
   * client's leaving, or a 502); instead the body's reader is told ({@link MalformedRequestBody}: the
   * proxy answers 400), and the connection closes once its answers are out (at once if they are).
   */
  private void bodyFramingFailed(ChannelHandlerContext ctx, HttpContent content) {
    Throwable cause = content.decoderResult().cause();
    content.release();
    if (inFlight == 0) {
      ctx.close();
      return;
    }
    closeAfterAnswers = true;
    MalformedRequestBody.fail(ctx.channel(), cause);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    // an interim response (100 Continue) is followed by the final one: it ends nothing
    boolean interim = msg instanceof HttpResponse response && response.status().code() < 200;
    boolean draining = stopping.getAsBoolean();
    if (!interim && msg instanceof HttpResponse response) {
      HttpHeadRepairs.response(response);
    }
    // after a broken body, only the answer that ends the last request in flight (a pipelined one's
    // would tell its client to stop reading while answers still come)
    if ((draining || (closeAfterAnswers && inFlight == 1)) && !interim && msg instanceof HttpResponse response) {
      // a request in flight at the signal was let through before answers said so; after a broken
      // body nothing more is read, so no other request can come
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    boolean last = false;
    if (!interim && msg instanceof LastHttpContent && inFlight > 0 && --inFlight == 0) {
      readySince = System.nanoTime();
      kept = true;
      last = true;
    }
    ctx.write(msg, promise);
    if (last && (draining || closeAfterAnswers)) {
      // closed once its last answer is out: its client's next request goes to another pod (or, after
      // a broken body, opens a connection whose bytes are read again)
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    if (timeoutNanos > 0) { // 0 disables the timeout, not the closes at a stop
      check = ctx.executor().schedule(() -> expire(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void expire(ChannelHandlerContext ctx) {
    if (!ctx.channel().isOpen()) {
      return;
    }
    if (readySince < 0) {
      schedule(ctx, timeoutNanos);
      return;
    }
    long left = readySince + timeoutNanos - System.nanoTime();
    if (left > 0) {
      schedule(ctx, left);
      return;
    }
    timedOut.increment();
    ctx.close();
  }
}
