package dev.outpost.gateway.telemetry;

import dev.outpost.gateway.auth.Identity;
import dev.outpost.gateway.client.ClientAddress;
import dev.outpost.gateway.route.MatchedRoute;
import dev.outpost.spec.model.Route;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * First step of the chain: when the exchange ends, whatever answered it, emits one OTLP log record
 * ({@code event.name = outpost.access}: method, path, route, project, integration, status, latency,
 * bytes, subject, client address; in the exchange's trace) and records the per-route Prometheus
 * timer {@code outpost.gateway.requests} (labels: route, status class).
 */
@Singleton
public class AccessLogHandler implements Handler<RoutingContext> {

  static final AttributeKey<String> EVENT_NAME = AttributeKey.stringKey("event.name");
  // constants, not made per record: a key caches its UTF-8 form, which the OTLP exporter writes
  private static final AttributeKey<Double> DURATION = AttributeKey.doubleKey("outpost.duration_ms");
  private static final AttributeKey<Long> REQUEST_BYTES = AttributeKey.longKey("http.request.body.size");
  private static final AttributeKey<Long> RESPONSE_BYTES = AttributeKey.longKey("http.response.body.size");

  private final Logger access;
  private final MeterRegistry registry;
  /** Per route label, its timers by status class (index: status / 100); no key is built per request. */
  private final ConcurrentMap<String, Timer[]> timers = new ConcurrentHashMap<>();

  private final ClientAddress clients;

  AccessLogHandler(OpenTelemetry openTelemetry, MeterRegistry registry, ClientAddress clients) {
    this.access = openTelemetry.getLogsBridge().get("outpost-gateway.access");
    this.registry = registry;
    this.clients = clients;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long startNanos = System.nanoTime();
    Instant start = Instant.now();
    ctx.addEndHandler(end ->
        record(ctx, start, System.nanoTime() - startNanos, ServerSpanHandler.answeredStatus(ctx, end)));
    ctx.next();
  }

  private void record(RoutingContext ctx, Instant start, long nanos, int status) {
    HttpServerRequest request = ctx.request();
    MatchedRoute matched = MatchedRoute.of(ctx);
    Route route = matched == null ? null : matched.route().route();
    String subject = Identity.of(ctx).subject();
    String path = ServerSpanHandler.truncate(matched != null ? matched.path() : request.path());
    LogRecordBuilder record = access.logRecordBuilder()
        .setContext(ServerSpanHandler.of(ctx))
        .setTimestamp(start)
        .setSeverity(status >= 500 ? Severity.ERROR : status >= 400 ? Severity.WARN : Severity.INFO)
        .setBody(request.method().name() + " " + path + " " + status)
        .setAttribute(EVENT_NAME, "outpost.access")
        .setAttribute(ServerSpanHandler.METHOD, request.method().name())
        .setAttribute(ServerSpanHandler.PATH, String.valueOf(path))
        .setAttribute(ServerSpanHandler.STATUS, (long) status)
        .setAttribute(DURATION, nanos / 1_000_000.0)
        .setAttribute(REQUEST_BYTES, request.bytesRead())
        .setAttribute(RESPONSE_BYTES, ctx.response().bytesWritten())
        .setAttribute(ServerSpanHandler.CLIENT, clients.of(ctx));
    if (route != null) {
      record.setAllAttributes(matched.route().ownerAttributes());
    }
    if (subject != null) {
      record.setAttribute(ServerSpanHandler.SUBJECT, subject);
    }
    record.emit();
    timer(route == null ? "none" : route.id(), status / 100).record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(String routeLabel, int statusClass) {
    Timer[] byClass = timers.computeIfAbsent(routeLabel, k -> new Timer[10]);
    Timer timer = byClass[statusClass];
    if (timer == null) {
      // two event loops may both get here: the registry hands both the one timer of this name and tags
      timer = Timer.builder("outpost.gateway.requests")
          .description("requests answered by the gateway, by route and status class")
          .tag("route", routeLabel).tag("status", statusClass + "xx")
          .register(registry);
      byClass[statusClass] = timer;
    }
    return timer;
  }
}
