package dev.outpost.gateway.proxy;

import dev.outpost.gateway.Responses;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Answers 505 to an HTTP/1.0 client whose response the upstream streams (no {@code
 * Content-Length}). HTTP/1.0 has no chunked encoding, so vertx-http-proxy would hold the whole
 * body in memory to measure it, with no bound, and a stall would leave the client hanging: a few
 * such requests for a large export could exhaust the heap. Responses of known length are proxied
 * to HTTP/1.0 clients as usual, and so are those that never have a body (to HEAD, 204, 304), whose
 * length Netty and Vert.x leave unset.
 */
final class Http10StreamGuard implements ProxyInterceptor {

  static final String MESSAGE = "the response is streamed, which HTTP/1.0 cannot carry; use HTTP/1.1";

  /** Marks the answer as the gateway's own (access record, refusal metrics). */
  private final Runnable answered;

  Http10StreamGuard(Runnable answered) {
    this.answered = answered;
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    ProxyResponse response = context.response();
    if (context.request().version() != HttpVersion.HTTP_1_0 || response.getBody() == null
        || response.getBody().length() >= 0 || hasNoBody(context.request().getMethod(), response.getStatusCode())) {
      return context.sendResponse();
    }
    answered.run();
    response.release(); // the upstream's body is read and dropped, its connection kept
    response.headers().clear();
    Buffer body = Buffer.buffer(Responses.body(context.request().proxiedRequest().response(), 505, MESSAGE));
    response.setStatusCode(505).setStatusMessage("HTTP Version Not Supported")
        .putHeader("Content-Type", "application/json").setBody(Body.body(body));
    return context.sendResponse();
  }

  private static boolean hasNoBody(HttpMethod method, int status) {
    return method == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
  }
}
