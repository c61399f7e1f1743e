package dev.outpost.gateway.proxy;

import dev.outpost.gateway.telemetry.ExchangeEnd;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;

/**
 * Ends the exchange ({@link ExchangeEnd#cut}) when passing the integration's response on fails
 * after it began: the proxy then resets the client's response, and Vert.x tells no end handler of
 * it, so without this the exchange had no access record, no server span and no metrics.
 */
final class CutResponseInterceptor implements ProxyInterceptor {

  private final RoutingContext ctx;
  private final UpstreamExchange exchange;

  CutResponseInterceptor(RoutingContext ctx, UpstreamExchange exchange) {
    this.ctx = ctx;
    this.exchange = exchange;
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    return context.sendResponse().onFailure(failure -> ExchangeEnd.cut(ctx, exchange.cutBy(failure)));
  }
}
