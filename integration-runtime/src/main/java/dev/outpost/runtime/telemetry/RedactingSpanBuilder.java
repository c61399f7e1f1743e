package dev.outpost.runtime.telemetry;

import dev.outpost.runtime.secret.SecretRedaction;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.concurrent.TimeUnit;

/** A span builder whose string attributes are redacted and whose span is a {@link RedactingSpan}. */
final class RedactingSpanBuilder implements SpanBuilder {
  private final SpanBuilder delegate;

  RedactingSpanBuilder(SpanBuilder delegate) {
    this.delegate = delegate;
  }

  @Override
  public SpanBuilder setParent(Context context) {
    delegate.setParent(context);
    return this;
  }

  @Override
  public SpanBuilder setNoParent() {
    delegate.setNoParent();
    return this;
  }

  @Override
  public SpanBuilder addLink(SpanContext spanContext) {
    delegate.addLink(spanContext);
    return this;
  }

  @Override
  public SpanBuilder addLink(SpanContext spanContext, io.opentelemetry.api.common.Attributes attributes) {
    delegate.addLink(spanContext, RedactingSpan.redacted(attributes));
    return this;
  }

  @Override
  public SpanBuilder setAttribute(String key, String value) {
    delegate.setAttribute(key, SecretRedaction.redact(value));
    return this;
  }

  @Override
  public SpanBuilder setAttribute(String key, long value) {
    delegate.setAttribute(key, value);
    return this;
  }

  @Override
  public SpanBuilder setAttribute(String key, double value) {
    delegate.setAttribute(key, value);
    return this;
  }

  @Override
  public SpanBuilder setAttribute(String key, boolean value) {
    delegate.setAttribute(key, value);
    return this;
  }

  @Override
  public <T> SpanBuilder setAttribute(AttributeKey<T> key, T value) {
    delegate.setAttribute(key, RedactingSpan.redacted(value));
    return this;
  }

  @Override
  public SpanBuilder setSpanKind(SpanKind spanKind) {
    delegate.setSpanKind(spanKind);
    return this;
  }

  @Override
  public SpanBuilder setStartTimestamp(long startTimestamp, TimeUnit unit) {
    delegate.setStartTimestamp(startTimestamp, unit);
    return this;
  }

  @Override
  public Span startSpan() {
    return new RedactingSpan(delegate.startSpan());
  }
}
