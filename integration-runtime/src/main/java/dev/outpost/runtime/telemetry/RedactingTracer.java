package dev.outpost.runtime.telemetry;

import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;

/**
 * The tracer Camel finds in its registry (it takes the single {@link Tracer} bean, before the
 * global one), in place of Quarkus' default: its spans redact secret values from what is added to
 * them while they run ({@link RedactingSpan}). {@link IntegrationSpanProcessor} can rewrite a span's
 * attributes when it ends, but not its events, and Camel records a failed exchange as an event
 * quoting the exception, whose message holds the endpoint's whole URI, secrets in its path included.
 */
public final class RedactingTracer implements Tracer {
  /** The instrumentation scope of Quarkus' default tracer, which this one replaces. */
  static final String SCOPE = "io.quarkus.opentelemetry";

  private final Tracer delegate;

  RedactingTracer(Tracer delegate) {
    this.delegate = delegate;
  }

  @Override
  public SpanBuilder spanBuilder(String spanName) {
    return new RedactingSpanBuilder(delegate.spanBuilder(spanName));
  }
}
