package dev.outpost.gateway.proxy;

import dev.outpost.gateway.Responses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.function.Consumer;

/**
 * Sends an HTTP/1.0 client a response the upstream streams (no {@code Content-Length}) with its
 * length, read whole first, as nginx's buffering does: HTTP/1.0 has no chunked encoding. The read
 * is bounded by the exchange's share of the response buffers ({@link ResponseBuffers}, 1 MiB by
 * default); a larger response is answered 505, since measuring it would hold it whole in memory with
 * no bound (a few requests for a large export could exhaust the heap). Integrations stream small
 * answers too (a redirect or an error with no body, a marshalled body), each a 505 before. The
 * route's timeout bounds the read, as it bounds any response body's gaps ({@link UpstreamExchange}):
 * a stream that stalls or breaks before it is whole is the gateway's 504 or 502 (the client's leaving,
 * 499, tells the breaker nothing). A small one refused only because all response buffers are taken
 * is a 503 with {@code Retry-After}.
 * Responses of known length go as usual, and so do those that never have a body (to HEAD, 204, 304),
 * whose length Netty and Vert.x leave unset.
 */
final class Http10StreamGuard implements ProxyInterceptor {

  static final String MESSAGE = "the response is streamed, which HTTP/1.0 cannot carry; use HTTP/1.1";
  static final String NO_ROOM = "the gateway has no response buffer free to send a streamed response over HTTP/1.0; retry, or use HTTP/1.1";

  /** Marks the answer as the gateway's own, with why (access record, refusal metrics). */
  private final Consumer<String> answered;
  private final ResponseBuffers buffers;
  private final UpstreamFailureInterceptor failures;

  Http10StreamGuard(Consumer<String> answered, ResponseBuffers buffers, UpstreamFailureInterceptor failures) {
    this.answered = answered;
    this.buffers = buffers;
    this.failures = failures;
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    ProxyResponse response = context.response();
    if (context.request().version() != HttpVersion.HTTP_1_0 || response.getBody() == null
        || response.getBody().length() >= 0 || hasNoBody(context.request().getMethod(), response.getStatusCode())) {
      return context.sendResponse();
    }
    return readWhole(response.getBody().stream()).compose(read -> {
      if (read.whole() != null) {
        response.setBody(Body.body(read.whole()));
        return context.sendResponse().onComplete(sent -> buffers.give(read.whole().length()));
      }
      if (read.tooLarge()) {
        answered.accept(MESSAGE);
        return answer(context, response, 505, MESSAGE, null);
      }
      // a small answer, refused only because every buffer is taken: a moment's shortage, not the client's HTTP
      answered.accept(NO_ROOM);
      return answer(context, response, 503, NO_ROOM, "1");
    }, failure -> {
      if (context.request().proxiedRequest().response().closed()) {
        // the client left (its leaving reset the upstream request): recorded as 499, no fault of the integration
        return Future.failedFuture(failure);
      }
      // this interceptor is the first to see the response, so the proxy's own answer would be a bare 502
      UpstreamFailureInterceptor.Unsent unsent = failures.failedBeforeTheHead(failure);
      return answer(context, response, unsent.status(), unsent.message(), null);
    });
  }

  /** What reading a streamed body whole came to: the body, or null when it was refused for its size or for want of buffers. */
  private record Read(Buffer whole, boolean tooLarge) {}

  /**
   * The whole body, within the exchange's share of the buffers and their total; past either, the
   * bytes held are given back and the rest is read and dropped. Given back once, whatever comes after
   * (a reset while the rest drains).
   */
  private Future<Read> readWhole(ReadStream<Buffer> body) {
    Promise<Read> read = Promise.promise();
    Held held = new Held();
    body.exceptionHandler(failure -> {
      held.giveBack();
      read.tryFail(failure);
    });
    body.endHandler(v -> read.tryComplete(new Read(held.whole, false)));
    body.handler(chunk -> {
      boolean fits = held.whole.length() + chunk.length() <= buffers.perExchange();
      if (fits && buffers.take(chunk.length())) {
        held.whole.appendBuffer(chunk);
        return;
      }
      if (fits) {
        buffers.give(chunk.length()); // taken past the total
      }
      held.giveBack();
      body.exceptionHandler(ignored -> { });
      body.handler(dropped -> { });
      body.endHandler(null);
      read.tryComplete(new Read(null, !fits));
    });
    body.resume(); // the proxy holds the upstream's body paused until something reads it
    return read.future();
  }

  /** The bytes read so far, counted in the buffers until given back. */
  private final class Held {
    Buffer whole = Buffer.buffer();
    private boolean givenBack;

    void giveBack() {
      if (!givenBack) {
        givenBack = true;
        buffers.give(whole.length());
        whole = null;
      }
    }
  }

  /** The gateway's own answer instead of the upstream's; the rest of the upstream's body is read and dropped. */
  private static Future<Void> answer(ProxyContext context, ProxyResponse response, int status, String message,
      String retryAfter) {
    response.release();
    response.headers().clear();
    if (retryAfter != null) {
      response.putHeader("Retry-After", retryAfter);
    }
    Buffer body = Buffer.buffer(Responses.body(context.request().proxiedRequest().response(), status, message));
    response.setStatusCode(status).setStatusMessage(null)
        .putHeader("Content-Type", "application/json").setBody(Body.body(body));
    return context.sendResponse();
  }

  private static boolean hasNoBody(HttpMethod method, int status) {
    return method == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
  }
}
