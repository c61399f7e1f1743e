package dev.outpost.gateway.proxy;

import dev.outpost.gateway.client.MalformedRequestBody;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;

/**
 * Passes a request body through while counting it; past {@code limit} bytes it stops and fails
 * the stream, so the upstream request is reset and the client gets 413. Used for bodies without a
 * {@code Content-Length} (a declared length is checked before anything is sent). It also says
 * whether the body's chunked framing failed ({@link MalformedRequestBody}, the client gets 400), a
 * failure that may have come while the request was paused, before any reader was there.
 */
final class LimitedReadStream implements ReadStream<Buffer> {

  /** Thrown into the pipe when the body passes its limit. */
  static final class BodyTooLarge extends RuntimeException {
    BodyTooLarge(long limit) {
      super("the request body is larger than " + limit + " bytes", null, false, false);
    }
  }

  private final HttpServerRequest source;
  private final long limit;
  private long seen;
  private boolean failed;
  private boolean malformed;
  private Handler<Throwable> exceptionHandler;

  LimitedReadStream(HttpServerRequest source, long limit) {
    this.source = source;
    this.limit = limit;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    if (handler == null) {
      source.exceptionHandler(null);
      return this;
    }
    source.exceptionHandler(handler);
    MalformedRequestBody.whenFailed(source, failure -> {
      if (!failed && !malformed && exceptionHandler != null) {
        malformed = true;
        exceptionHandler.handle(failure);
      }
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null) {
      source.handler(null);
      return this;
    }
    source.handler(buffer -> {
      if (failed) {
        return;
      }
      seen += buffer.length();
      if (seen > limit) {
        failed = true;
        source.handler(null);
        if (exceptionHandler != null) {
          exceptionHandler.handle(new BodyTooLarge(limit));
        }
        return;
      }
      handler.handle(buffer);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    source.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    source.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    source.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    source.endHandler(v -> {
      MalformedRequestBody.bodyEnded(source);
      if (!failed && endHandler != null) {
        endHandler.handle(v);
      }
    });
    return this;
  }

  boolean overflowed() {
    return failed;
  }

  boolean malformed() {
    return malformed;
  }
}
