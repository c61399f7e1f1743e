package dev.outpost.gateway.proxy;

import dev.outpost.gateway.telemetry.ExchangeEnd;
import dev.outpost.gateway.telemetry.GatewayAnswer;
import dev.outpost.gateway.telemetry.ResponseCut;
import dev.outpost.gateway.telemetry.ServerSpanHandler;
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
    return context.sendResponse().onFailure(this::cut);
  }

  /**
   * The status recorded: the one the client began to get; when the head had not gone yet (the
   * proxy writes it with the first body bytes) the client got no answer at all, which the gateway
   * records as its own 502, 504 when the route's timeout ran out, or 499 when the client left.
   */
  private void cut(Throwable failure) {
    ResponseCut by = exchange.cutBy(failure);
    if (ctx.response().headWritten()) {
      ExchangeEnd.cut(ctx, ctx.response().getStatusCode(), by);
    } else if (by == ResponseCut.CLIENT) {
      ExchangeEnd.cut(ctx, ServerSpanHandler.CLIENT_CLOSED_REQUEST, null);
    } else {
      GatewayAnswer.mark(ctx);
      ExchangeEnd.cut(ctx, exchange.timedOut() ? 504 : 502, ResponseCut.INTEGRATION);
    }
  }
}
