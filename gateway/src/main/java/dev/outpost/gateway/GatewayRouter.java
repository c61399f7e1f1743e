package dev.outpost.gateway;

import dev.outpost.gateway.auth.AuthenticateHandler;
import dev.outpost.gateway.auth.AuthorizeHandler;
import dev.outpost.gateway.cors.CorsHandler;
import dev.outpost.gateway.proxy.ProxyHandler;
import dev.outpost.gateway.ratelimit.RateLimitHandler;
import dev.outpost.gateway.proxy.RequestLimitsHandler;
import dev.outpost.gateway.route.RequestLineHandler;
import dev.outpost.gateway.route.RouteMatchHandler;
import dev.outpost.gateway.telemetry.AccessLogHandler;
import dev.outpost.gateway.telemetry.RouteSpanTagger;
import dev.outpost.gateway.telemetry.ServerSpanHandler;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The gateway's request chain on the public port, in order: start the server span, arrange the access record, check the request line, match the
 * route on the normalised path, answer CORS preflights, check limits, authenticate, authorize, rate-limit, proxy. Each step either answers (and
 * stops) or passes to the next; {@link FailureHandler} answers what fails.
 */
@ApplicationScoped
public class GatewayRouter {

  void init(@Observes Router router, ServerSpanHandler serverSpan, AccessLogHandler accessLog, RequestLineHandler requestLine,
      RouteMatchHandler match, RouteSpanTagger tagger, CorsHandler cors, RequestLimitsHandler limits, AuthenticateHandler authenticate,
      AuthorizeHandler authorize, RateLimitHandler rateLimit, ProxyHandler proxy, FailureHandler failure) {
    router.route()
        .handler(serverSpan)
        .handler(accessLog)
        .handler(requestLine)
        .handler(match)
        .handler(tagger)
        .handler(cors)
        .handler(limits)
        .handler(authenticate)
        .handler(authorize)
        .handler(rateLimit)
        .handler(proxy)
        .failureHandler(failure);
  }
}
