package dev.outpost.gateway.proxy;

import io.vertx.core.http.HttpClientRequest;

/**
 * The upstream request of one exchange while its response has not fully arrived, so that a client
 * leaving mid-exchange resets it at once instead of leaving it to time out. Once the response has
 * ended the request is forgotten: Vert.x closes the connection when an ended request is reset, and
 * by then that pooled connection may already carry another exchange's request.
 */
final class InflightUpstreamRequest {

  private HttpClientRequest request;

  /** Tracks {@code sent} until its response ends. */
  void track(HttpClientRequest sent) {
    request = sent;
    // the failure reaches the proxy through the response future; without a handler Vert.x logs it as an error
    sent.exceptionHandler(failure -> { });
    sent.response().onSuccess(response -> response.end().onComplete(v -> request = null));
  }

  /** Resets the upstream request if its response is still arriving. */
  void abort() {
    HttpClientRequest inflight = request;
    request = null;
    if (inflight != null) {
      inflight.reset();
    }
  }
}
