package dev.outpost.runtime.telemetry;

import dev.outpost.runtime.secret.SecretRedaction;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running span that redacts secret values from whatever text is added to it: attributes, event
 * attributes (Camel's error events quote the exception), a recorded exception's message and stack
 * trace, the status description and the name. The SDK's span is what goes into the context, so
 * children and span processors see it as ever.
 */
final class RedactingSpan implements Span {
  private final Span delegate;

  RedactingSpan(Span delegate) {
    this.delegate = delegate;
  }

  @Override
  public <T> Span setAttribute(AttributeKey<T> key, T value) {
    delegate.setAttribute(key, redacted(value));
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes) {
    delegate.addEvent(name, redacted(attributes));
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
    delegate.addEvent(name, redacted(attributes), timestamp, unit);
    return this;
  }

  @Override
  public Span setStatus(StatusCode statusCode, String description) {
    delegate.setStatus(statusCode, SecretRedaction.redact(description));
    return this;
  }

  /** The SDK's own event, with the message and stack trace redacted (a message can quote a URI). */
  @Override
  public Span recordException(Throwable exception, Attributes additionalAttributes) {
    StringWriter trace = new StringWriter();
    exception.printStackTrace(new PrintWriter(trace));
    AttributesBuilder event = Attributes.builder()
        .put("exception.type", exception.getClass().getCanonicalName() == null
            ? exception.getClass().getName() : exception.getClass().getCanonicalName())
        .put("exception.stacktrace", trace.toString());
    if (exception.getMessage() != null) {
      event.put("exception.message", exception.getMessage());
    }
    event.putAll(additionalAttributes);
    delegate.addEvent("exception", redacted(event.build()));
    return this;
  }

  @Override
  public Span updateName(String name) {
    delegate.updateName(SecretRedaction.redact(name));
    return this;
  }

  @Override
  public void end() {
    delegate.end();
  }

  @Override
  public void end(long timestamp, TimeUnit unit) {
    delegate.end(timestamp, unit);
  }

  @Override
  public SpanContext getSpanContext() {
    return delegate.getSpanContext();
  }

  @Override
  public boolean isRecording() {
    return delegate.isRecording();
  }

  @Override
  public Context storeInContext(Context context) {
    return delegate.storeInContext(context);
  }

  static Attributes redacted(Attributes attributes) {
    if (attributes == null || attributes.isEmpty()) {
      return attributes;
    }
    AttributesBuilder builder = Attributes.builder();
    attributes.forEach((key, value) -> put(builder, key, value));
    return builder.build();
  }

  @SuppressWarnings("unchecked")
  private static <T> void put(AttributesBuilder builder, AttributeKey<T> key, Object value) {
    builder.put(key, (T) redacted(value));
  }

  /** A string, or each string of a list, redacted; any other value as it is. */
  @SuppressWarnings("unchecked")
  static <T> T redacted(T value) {
    if (value instanceof String text) {
      return (T) SecretRedaction.redact(text);
    }
    if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof String) {
      return (T) list.stream().map(v -> SecretRedaction.redact((String) v)).toList();
    }
    return value;
  }
}
