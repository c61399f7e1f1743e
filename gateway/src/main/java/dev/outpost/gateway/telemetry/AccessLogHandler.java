package dev.outpost.gateway.telemetry;

import dev.outpost.gateway.auth.Identity;
import dev.outpost.gateway.client.ClientAddress;
import dev.outpost.gateway.route.MatchedRoute;
import dev.outpost.spec.model.Route;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * First step of the chain: when the exchange ends, whatever answered it, emits one OTLP log record
 * ({@code event.name = outpost.access}: method, path, route, project, integration, status, latency,
 * bytes, subject, client address, {@code outpost.answered_by = gateway} when the gateway answered
 * instead of the integration, {@code outpost.response.cut_by} when the response was cut after it
 * had begun ({@link ResponseCut}); in the exchange's trace) and records it in the per-route
 * Prometheus meters ({@link RouteMetrics}).
 */
@Singleton
public class AccessLogHandler implements Handler<RoutingContext> {

  static final AttributeKey<String> EVENT_NAME = AttributeKey.stringKey("event.name");
  // constants, not made per record: a key caches its UTF-8 form, which the OTLP exporter writes
  private static final AttributeKey<Double> DURATION = AttributeKey.doubleKey("outpost.duration_ms");
  private static final AttributeKey<Long> REQUEST_BYTES = AttributeKey.longKey("http.request.body.size");
  private static final AttributeKey<Long> RESPONSE_BYTES = AttributeKey.longKey("http.response.body.size");
  private static final AttributeKey<String> ANSWERED_BY = AttributeKey.stringKey("outpost.answered_by");
  /** Why the gateway answered itself: what the client was told, and for a failed upstream call what failed. */
  static final AttributeKey<String> REASON = AttributeKey.stringKey("outpost.reason");

  private final Logger access;
  private final RouteMetrics metrics;
  private final ClientAddress clients;

  AccessLogHandler(OpenTelemetry openTelemetry, RouteMetrics metrics, ClientAddress clients) {
    this.access = openTelemetry.getLogsBridge().get("outpost-gateway.access");
    this.metrics = metrics;
    this.clients = clients;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long startNanos = System.nanoTime();
    Instant start = Instant.now();
    ExchangeEnd.onEnd(ctx, outcome -> record(ctx, start, System.nanoTime() - startNanos, outcome.status(), outcome.cut()));
    ctx.next();
  }

  private void record(RoutingContext ctx, Instant start, long nanos, int status, ResponseCut cut) {
    HttpServerRequest request = ctx.request();
    MatchedRoute matched = MatchedRoute.of(ctx);
    Route route = matched == null ? null : matched.route().route();
    String subject = Identity.of(ctx).subject();
    String path = ServerSpanHandler.truncate(matched != null ? matched.path() : request.path());
    long bytesIn = request.bytesRead();
    long bytesOut = ctx.response().bytesWritten();
    boolean gatewayAnswer = GatewayAnswer.of(ctx);
    LogRecordBuilder record = access.logRecordBuilder()
        .setContext(ServerSpanHandler.of(ctx))
        .setTimestamp(start)
        .setSeverity(severity(status, cut))
        .setBody(request.method().name() + " " + path + " " + status + (cut == null ? "" : " (cut by " + cut.by() + ")"))
        .setAttribute(EVENT_NAME, "outpost.access")
        .setAttribute(ServerSpanHandler.METHOD, request.method().name())
        .setAttribute(ServerSpanHandler.PATH, String.valueOf(path))
        .setAttribute(ServerSpanHandler.STATUS, (long) status)
        .setAttribute(DURATION, nanos / 1_000_000.0)
        .setAttribute(REQUEST_BYTES, bytesIn)
        .setAttribute(RESPONSE_BYTES, bytesOut)
        .setAttribute(ServerSpanHandler.CLIENT, clients.of(ctx));
    if (route != null) {
      record.setAllAttributes(matched.route().ownerAttributes());
    }
    if (subject != null) {
      record.setAttribute(ServerSpanHandler.SUBJECT, subject);
    }
    if (gatewayAnswer) {
      record.setAttribute(ANSWERED_BY, "gateway");
      String reason = GatewayAnswer.reason(ctx);
      if (reason != null) {
        record.setAttribute(REASON, reason);
      }
    }
    if (cut != null) {
      record.setAttribute(ResponseCut.CUT_BY, cut.by());
    }
    record.emit();
    String routeId = route == null ? RouteMetrics.NO_ROUTE : route.id();
    metrics.record(routeId, status, nanos, bytesIn, bytesOut, gatewayAnswer);
    if (cut != null) {
      metrics.cut(routeId, cut);
    }
  }

  /** A response the integration cut is an error whatever its status; one the client cut, a warning (as 499 is). */
  private static Severity severity(int status, ResponseCut cut) {
    if (status >= 500 || cut == ResponseCut.INTEGRATION) {
      return Severity.ERROR;
    }
    return status >= 400 || cut == ResponseCut.CLIENT ? Severity.WARN : Severity.INFO;
  }
}
