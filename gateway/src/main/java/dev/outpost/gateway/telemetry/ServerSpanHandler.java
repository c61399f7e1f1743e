package dev.outpost.gateway.telemetry;

import dev.outpost.gateway.auth.Identity;
import dev.outpost.gateway.client.ClientAddress;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

/**
 * First step of the chain: starts the exchange's server span, a child of the client's {@code
 * traceparent} when there is one, and ends it when the exchange ends, whatever answered it.
 *
 * <p>The gateway makes its own two spans (this one and {@link UpstreamSpanInterceptor}'s client span)
 * instead of using Quarkus' Vert.x HTTP instrumentation ({@code quarkus.otel.instrument.vertx-http=false}):
 * that one fills some twenty semantic-convention attributes per span through extractor chains and cost a
 * third of the proxy's throughput in the gateway benchmark; these carry the few attributes a trace view
 * needs.
 */
@Singleton
public class ServerSpanHandler implements Handler<RoutingContext> {

  static final String KEY = "outpost.trace";
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> CLIENT = AttributeKey.stringKey("client.address");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  /** nginx's status for a client that left before it was answered. */
  public static final int CLIENT_CLOSED_REQUEST = 499;
  static final AttributeKey<String> SUBJECT = AttributeKey.stringKey("enduser.id");
  /**
   * Names the exchange's trace on every answer, the gateway's own and the integration's (as Kong's
   * {@code X-Kong-Request-Id} does), so that a caller can quote it and the console find the access
   * record and the trace by it.
   */
  public static final String TRACE_ID_HEADER = "X-Outpost-Trace-Id";
  private static final int MAX_PATH = 2048;

  private static final TextMapGetter<HttpServerRequest> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpServerRequest request) {
      return request.headers().names();
    }

    @Override
    public String get(HttpServerRequest request, String key) {
      return request == null ? null : request.getHeader(key);
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private final ClientAddress clients;

  ServerSpanHandler(OpenTelemetry openTelemetry, ClientAddress clients) {
    this.clients = clients;
    this.tracer = openTelemetry.getTracer("outpost-gateway");
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Context parent = propagator.extract(Context.root(), request, HEADERS);
    String method = request.method().name();
    Span span = tracer.spanBuilder(method)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(METHOD, method)
        .setAttribute(PATH, truncate(request.path()))
        .setAttribute(CLIENT, clients.of(ctx))
        .startSpan();
    Context trace = parent.with(span);
    ctx.put(KEY, trace);
    SpanContext context = span.getSpanContext();
    if (context.isValid()) {
      ctx.response().headers().set(TRACE_ID_HEADER, context.getTraceId());
    }
    ExchangeEnd.onEnd(ctx, outcome -> end(ctx, span, outcome));
    ctx.next();
  }

  private static void end(RoutingContext ctx, Span span, ExchangeEnd.Outcome outcome) {
    span.setAttribute(STATUS, (long) outcome.status());
    String subject = Identity.of(ctx).subject();
    if (subject != null) {
      span.setAttribute(SUBJECT, subject);
    }
    if (outcome.cut() != null) {
      span.setAttribute(ResponseCut.CUT_BY, outcome.cut().by());
    }
    String reason = GatewayAnswer.reason(ctx);
    if (reason != null) {
      span.setAttribute(AccessLogHandler.REASON, reason);
    }
    if (outcome.status() >= 500 || outcome.cut() == ResponseCut.INTEGRATION) {
      span.setStatus(StatusCode.ERROR, reason == null ? "" : reason);
    }
    span.end();
  }

  /** The exchange's trace context (its server span); the root context before this step ran. */
  public static Context of(RoutingContext ctx) {
    Context trace = ctx.get(KEY);
    return trace == null ? Context.root() : trace;
  }

  static String truncate(String path) {
    return path != null && path.length() > MAX_PATH ? path.substring(0, MAX_PATH) : path;
  }
}
