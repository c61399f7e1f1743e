package dev.outpost.gateway.route;

import dev.outpost.gateway.Responses;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Refuses, before routing, requests whose request line the gateway will not proxy: {@code CONNECT}
 * (a tunnel, not a request: proxied, the connection desynchronised) and {@code TRACE} (echoes
 * credentials back to scripts, cross-site tracing) get 405.
 */
@ApplicationScoped
public class RequestLineHandler implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    if (!refused(ctx)) {
      ctx.next();
    }
  }

  /**
   * Answers and returns true when the request is refused. Also called for requests Vert.x Web
   * fails before any handler runs (a {@code CONNECT host:port} has no path to route on).
   */
  public boolean refused(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.method() == HttpMethod.CONNECT || request.method() == HttpMethod.TRACE) {
      if (request.method() == HttpMethod.CONNECT) {
        // what follows a CONNECT is tunnel bytes, never to be read as the next request
        ctx.addEndHandler(v -> request.connection().close());
      }
      Responses.error(ctx, 405, request.method().name() + " is not accepted");
      return true;
    }
    return false;
  }
}
