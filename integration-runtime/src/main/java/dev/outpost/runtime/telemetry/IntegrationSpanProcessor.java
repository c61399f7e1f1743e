package dev.outpost.runtime.telemetry;

import dev.outpost.runtime.secret.SecretRedaction;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.internal.ExtendedSpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.MDC;

/**
 * Tags every span of an integration with {@code outpost.project}, {@code outpost.integration} and
 * {@code outpost.integration.version}, and redacts secret values from its string attributes.
 *
 * <p>The owner is found, in order: on the parent span (the dispatcher tags the HTTP server span
 * before Camel starts its spans), from Camel's MDC route id when the span starts, and when the span
 * ends from the internal names in its name or the attributes Camel sets ({@code camel.*}: endpoint
 * URIs). Never from what the request carried (its path, query, user agent): a client asking for
 * {@code /_outpost/billing/g3/x}, answered 404 by the dispatcher, had its span filed under billing.
 */
@ApplicationScoped
public class IntegrationSpanProcessor implements ExtendedSpanProcessor {

  /** The attributes Camel sets on its spans, such as {@code camel.uri}. */
  private static final String CAMEL_ATTRIBUTES = "camel.";

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    Span parent = Span.fromContext(parentContext);
    if (parent instanceof ReadableSpan readable && readable.getAttribute(TelemetryAttributes.INTEGRATION) != null) {
      span.setAttribute(TelemetryAttributes.PROJECT, readable.getAttribute(TelemetryAttributes.PROJECT));
      span.setAttribute(TelemetryAttributes.INTEGRATION, readable.getAttribute(TelemetryAttributes.INTEGRATION));
      span.setAttribute(TelemetryAttributes.VERSION, readable.getAttribute(TelemetryAttributes.VERSION));
      return;
    }
    Object routeId = MDC.get("camel.routeId");
    if (routeId != null) {
      IntegrationIdentities.find(routeId + ".").ifPresent(identity -> TelemetryAttributes.tag(span, identity));
    }
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnding(ReadWriteSpan span) {
    boolean untagged = span.getAttribute(TelemetryAttributes.INTEGRATION) == null;
    Optional<IntegrationIdentities.Identity> found = untagged
        ? IntegrationIdentities.find(span.getName())
        : Optional.empty();
    for (var entry : span.getAttributes().asMap().entrySet()) {
      if (entry.getValue() instanceof String value) {
        if (untagged && found.isEmpty() && entry.getKey().getKey().startsWith(CAMEL_ATTRIBUTES)) {
          found = IntegrationIdentities.find(value);
        }
        String redacted = SecretRedaction.redact(value);
        if (!redacted.equals(value)) {
          @SuppressWarnings("unchecked")
          AttributeKey<String> key = (AttributeKey<String>) entry.getKey();
          span.setAttribute(key, redacted);
        }
      }
    }
    found.ifPresent(identity -> TelemetryAttributes.tag(span, identity));
  }

  @Override
  public boolean isOnEndingRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }
}
