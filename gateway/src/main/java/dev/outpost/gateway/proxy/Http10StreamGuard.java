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

/**
 * Sends an HTTP/1.0 client a response the upstream streams (no {@code Content-Length}) with its
 * length, read whole first, as nginx's buffering does: HTTP/1.0 has no chunked encoding. The read
 * is bounded by the exchange's share of the response buffers ({@link ResponseBuffers}, 1 MiB by
 * default); a larger response is answered 505, since measuring it would hold it whole in memory with
 * no bound (a few requests for a large export could exhaust the heap). Integrations stream small
 * answers too (a redirect or an error with no body, a marshalled body), each a 505 before. The
 * route's timeout bounds the read, as it bounds any response body's gaps ({@link UpstreamExchange}):
 * a stream that stalls or breaks before it is whole is the gateway's 504 or 502.
 * Responses of known length go as usual, and so do those that never have a body (to HEAD, 204, 304),
 * whose length Netty and Vert.x leave unset.
 */
final class Http10StreamGuard implements ProxyInterceptor {

  static final String MESSAGE = "the response is streamed, which HTTP/1.0 cannot carry; use HTTP/1.1";

  /** Marks the answer as the gateway's own (access record, refusal metrics). */
  private final Runnable answered;
  private final ResponseBuffers buffers;
  private final UpstreamFailureInterceptor failures;

  Http10StreamGuard(Runnable answered, ResponseBuffers buffers, UpstreamFailureInterceptor failures) {
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
    return readWhole(response.getBody().stream()).compose(whole -> {
      if (whole == null) {
        answered.run();
        return answer(context, response, 505, MESSAGE);
      }
      response.setBody(Body.body(whole));
      return context.sendResponse().onComplete(sent -> buffers.give(whole.length()));
    }, failure -> {
      // this interceptor is the first to see the response, so the proxy's own answer would be a bare 502
      UpstreamFailureInterceptor.Unsent unsent = failures.failedBeforeTheHead(failure);
      return answer(context, response, unsent.status(), unsent.message());
    });
  }

  /** The whole body, or null once it passes the exchange's share of the buffers (the rest is dropped). */
  private Future<Buffer> readWhole(ReadStream<Buffer> body) {
    Promise<Buffer> read = Promise.promise();
    Buffer whole = Buffer.buffer();
    body.exceptionHandler(failure -> {
      buffers.give(whole.length());
      read.tryFail(failure);
    });
    body.endHandler(v -> read.tryComplete(whole));
    body.handler(chunk -> {
      boolean fits = whole.length() + chunk.length() <= buffers.perExchange();
      if (fits && buffers.take(chunk.length())) {
        whole.appendBuffer(chunk);
        return;
      }
      if (fits) {
        buffers.give(chunk.length()); // taken past the total
      }
      buffers.give(whole.length());
      body.handler(dropped -> { });
      body.endHandler(null);
      read.tryComplete(null);
    });
    body.resume(); // the proxy holds the upstream's body paused until something reads it
    return read.future();
  }

  /** The gateway's own answer instead of the upstream's; the rest of the upstream's body is read and dropped. */
  private static Future<Void> answer(ProxyContext context, ProxyResponse response, int status, String message) {
    response.release();
    response.headers().clear();
    Buffer body = Buffer.buffer(Responses.body(context.request().proxiedRequest().response(), status, message));
    response.setStatusCode(status).setStatusMessage(null)
        .putHeader("Content-Type", "application/json").setBody(Body.body(body));
    return context.sendResponse();
  }

  private static boolean hasNoBody(HttpMethod method, int status) {
    return method == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
  }
}
