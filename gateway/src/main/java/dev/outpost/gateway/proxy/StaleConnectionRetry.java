package dev.outpost.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.io.IOException;

/**
 * Innermost interceptor of an idempotent request without a body: sends it again, on another
 * connection, when the pooled keep-alive connection it went out on was closed or reset before any
 * answer. The upstream closed that connection as idle just as the request was sent, a race every
 * keep-alive client meets (Node closes idle connections after 5 s); nginx retries a cached
 * connection the same way, beyond its {@code proxy_next_upstream_tries}. The route's {@code retries}
 * are for connect failures and are not spent here. A connection's first request is not sent again:
 * a close there says something about the upstream, not about the pool. Each failed connection
 * leaves the pool, so at most a pool's worth of retries (an upstream restart leaves every pooled
 * connection dead). The client's (empty) body was read on the first attempt, so the retry sends none
 * (the request is left without one: {@link UpstreamFailureInterceptor} answers a retry that fails too).
 */
final class StaleConnectionRetry implements ProxyInterceptor {

  private final UpstreamExchange exchange;
  private int retriesLeft;

  StaleConnectionRetry(UpstreamExchange exchange, int maxRetries) {
    this.exchange = exchange;
    this.retriesLeft = maxRetries;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    // past the last interceptor, sendRequest asks the origin for a connection and sends the request on it
    return context.sendRequest().recover(failure -> {
      if (retriesLeft == 0 || !exchange.sentOnReusedConnection() || !isConnectionLost(failure)
          || context.request().proxiedRequest().response().closed()) {
        return Future.failedFuture(failure);
      }
      retriesLeft--;
      context.request().setBody(null);
      return handleProxyRequest(context);
    });
  }

  /** Closed by the upstream ({@link HttpClosedException}) or reset (an {@link IOException}); not a timeout or the client leaving. */
  static boolean isConnectionLost(Throwable failure) {
    return failure instanceof HttpClosedException || failure instanceof IOException;
  }
}
