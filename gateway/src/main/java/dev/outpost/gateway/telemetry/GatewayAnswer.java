package dev.outpost.gateway.telemetry;

import io.vertx.ext.web.RoutingContext;

/**
 * Marks an exchange that the gateway answered itself (a refusal, a failed upstream call) rather than
 * passing on the integration's answer, for {@link RouteMetrics}' refusals. Same status, other owner:
 * a 503 of an open breaker is not the integration's 503.
 */
public final class GatewayAnswer {

  private static final String KEY = "outpost.gatewayAnswer";

  private GatewayAnswer() {}

  public static void mark(RoutingContext ctx) {
    ctx.put(KEY, Boolean.TRUE);
  }

  public static boolean of(RoutingContext ctx) {
    return ctx.get(KEY) != null;
  }
}
