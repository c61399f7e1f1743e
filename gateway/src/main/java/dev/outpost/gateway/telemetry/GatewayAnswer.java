package dev.outpost.gateway.telemetry;

import io.vertx.ext.web.RoutingContext;

/**
 * Marks an exchange that the gateway answered itself (a refusal, a failed upstream call) rather than
 * passing on the integration's answer, for {@link RouteMetrics}' refusals. Same status, other owner:
 * a 503 of an open breaker is not the integration's 503. Keeps why, for the access record and the
 * span: the answer's body told only the client, so an operator with a caller's trace id found
 * {@code GET /orders 401} and nothing about the token.
 */
public final class GatewayAnswer {

  private static final String KEY = "outpost.gatewayAnswer";
  /** A reason names a path or an integration's error: kept short, like a span's attributes. */
  static final int MAX_REASON_CHARS = 512;

  private GatewayAnswer() {}

  public static void mark(RoutingContext ctx) {
    mark(ctx, "");
  }

  /** @param reason what the client was told, or more (never a credential); empty for none */
  public static void mark(RoutingContext ctx, String reason) {
    String kept = reason == null ? "" : reason;
    ctx.put(KEY, kept.length() > MAX_REASON_CHARS ? kept.substring(0, MAX_REASON_CHARS) + "…" : kept);
  }

  public static boolean of(RoutingContext ctx) {
    return ctx.get(KEY) != null;
  }

  /** Why the gateway answered itself, or null. */
  public static String reason(RoutingContext ctx) {
    return ctx.get(KEY) instanceof String reason && !reason.isEmpty() ? reason : null;
  }
}
