package dev.outpost.gateway.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Passes a request body through while counting it; past {@code limit} bytes it stops and fails
 * the stream, so the upstream request is reset and the client gets 413. Used for bodies without a
 * {@code Content-Length} (a declared length is checked before anything is sent).
 */
final class LimitedReadStream implements ReadStream<Buffer> {

  /** Thrown into the pipe when the body passes its limit. */
  static final class BodyTooLarge extends RuntimeException {
    BodyTooLarge(long limit) {
      super("the request body is larger than " + limit + " bytes", null, false, false);
    }
  }

  private final ReadStream<Buffer> source;
  private final long limit;
  private long seen;
  private boolean failed;
  private Handler<Throwable> exceptionHandler;

  LimitedReadStream(ReadStream<Buffer> source, long limit) {
    this.source = source;
    this.limit = limit;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    source.exceptionHandler(handler);
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
      if (!failed && endHandler != null) {
        endHandler.handle(v);
      }
    });
    return this;
  }

  boolean overflowed() {
    return failed;
  }
}
