package dev.outpost.gateway.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Innermost proxy interceptor: the upstream call as a client span, child of the exchange's server
 * span, from just before connecting until the upstream's response head arrives (or the call fails).
 * Its context replaces whatever {@code traceparent}/{@code tracestate} the client sent.
 */
public final class UpstreamSpanInterceptor implements ProxyInterceptor {

  private static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> PORT = AttributeKey.longKey("server.port");
  private static final TextMapSetter<MultiMap> HEADERS = (headers, key, value) -> headers.set(key, value);

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final Context parent;
  private final Attributes owner;
  private final String host;
  private final int port;

  /** One per exchange; {@code tracer} and {@code propagator} come from {@link #factory(OpenTelemetry)}. */
  private UpstreamSpanInterceptor(Tracer tracer, TextMapPropagator propagator, Context parent, Attributes owner,
      String host, int port) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.parent = parent;
    this.owner = owner;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    String method = context.request().getMethod().name();
    Span span = tracer.spanBuilder(method)
        .setParent(parent)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(ServerSpanHandler.METHOD, method)
        .setAttribute(SERVER, host)
        .setAttribute(PORT, (long) port)
        .setAllAttributes(owner)
        .startSpan();
    MultiMap headers = context.request().headers();
    headers.remove("tracestate");
    propagator.inject(parent.with(span), headers, HEADERS);
    return context.sendRequest().andThen(ar -> {
      if (ar.succeeded()) {
        int status = ar.result().getStatusCode();
        span.setAttribute(ServerSpanHandler.STATUS, (long) status);
        if (status >= 500) {
          span.setStatus(StatusCode.ERROR);
        }
      } else {
        span.setStatus(StatusCode.ERROR, ar.cause().getMessage());
      }
      span.end();
    });
  }

  /** Makes the interceptor of each exchange. */
  public static Factory factory(OpenTelemetry openTelemetry) {
    Tracer tracer = openTelemetry.getTracer("outpost-gateway");
    TextMapPropagator propagator = openTelemetry.getPropagators().getTextMapPropagator();
    return (parent, owner, host, port) -> new UpstreamSpanInterceptor(tracer, propagator, parent, owner, host, port);
  }

  /** Makes the interceptor of one exchange. */
  @FunctionalInterface
  public interface Factory {
    UpstreamSpanInterceptor forExchange(Context parent, Attributes owner, String host, int port);
  }
}
