package dev.outpost.gateway.client;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * A request body whose chunked framing did not parse (a chunk size that is no hex number, a broken
 * trailer): the client's fault, answered 400. Netty's decoder reads nothing more from that
 * connection, and Vert.x, told, would close it at once, unanswered; {@link RequestHeadTimeout} keeps
 * the failure from Vert.x, tells the body's reader instead ({@link #whenFailed}), and closes the
 * connection once the answer is out. Vert.x is not told: it would fail the response too, which
 * Vert.x Web reports as the client's leaving.
 */
public final class MalformedRequestBody extends RuntimeException {

  public static final String MESSAGE = "the request body is not valid chunked transfer coding: each chunk must start"
      + " with its size in hex digits (RFC 9112 7.1)";

  private static final AttributeKey<MalformedRequestBody> FAILED = AttributeKey.valueOf("outpost-malformed-request-body");
  private static final AttributeKey<Reader> READER = AttributeKey.valueOf("outpost-request-body-reader");

  /** Whose body is being read, and who to tell. */
  private record Reader(HttpServerRequest request, Handler<MalformedRequestBody> told) {}

  private MalformedRequestBody(Throwable cause) {
    super(MESSAGE, cause, false, false);
  }

  /**
   * Tells {@code reader}, on the caller's context, if {@code request}'s body framing fails; soon after
   * this returns if it failed already (while the request was paused, before any reader was there).
   */
  public static void whenFailed(HttpServerRequest request, Handler<MalformedRequestBody> reader) {
    if (request.isEnded() || !(request.connection() instanceof ConnectionBase connection)) {
      return;
    }
    if (request.version() == HttpVersion.HTTP_2) {
      return; // no chunked coding there, and its streams share one channel
    }
    Context context = Vertx.currentContext();
    Handler<MalformedRequestBody> onContext = failure -> context.runOnContext(v -> reader.handle(failure));
    Channel channel = connection.channel();
    MalformedRequestBody failed = channel.attr(FAILED).get();
    if (failed != null) {
      onContext.handle(failed);
    } else {
      // one request's body is read at a time on an HTTP/1 connection: a later reader replaces an ended one
      channel.attr(READER).set(new Reader(request, onContext));
    }
  }

  /**
   * The body being read ended: its reader is let go, or an idle keep-alive connection would hold
   * the last request (and what its handlers hold) until the next one.
   */
  public static void bodyEnded(HttpServerRequest request) {
    if (request.connection() instanceof ConnectionBase connection) {
      // only its own: a paused body's end can come after the next pipelined request's reader is set
      Reader current = connection.channel().attr(READER).get();
      if (current != null && current.request() == request) {
        connection.channel().attr(READER).compareAndSet(current, null);
      }
    }
  }

  /** On the connection's event loop: the body being read failed to parse. */
  static void fail(Channel channel, Throwable cause) {
    MalformedRequestBody failure = new MalformedRequestBody(cause);
    channel.attr(FAILED).set(failure);
    Reader reader = channel.attr(READER).getAndSet(null);
    if (reader != null) {
      reader.told().handle(failure);
    }
  }
}
