package dev.outpost.runtime.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;

/** The attributes ARCHITECTURE.md fixes for telemetry ("Telemetry attributes"). */
public final class TelemetryAttributes {

  public static final AttributeKey<String> PROJECT = AttributeKey.stringKey("outpost.project");
  public static final AttributeKey<String> INTEGRATION = AttributeKey.stringKey("outpost.integration");
  public static final AttributeKey<String> VERSION = AttributeKey.stringKey("outpost.integration.version");

  private TelemetryAttributes() {}

  /** Tags {@code span} with its owner. */
  public static void tag(Span span, IntegrationIdentities.Identity identity) {
    span.setAttribute(PROJECT, identity.project());
    span.setAttribute(INTEGRATION, identity.integration());
    span.setAttribute(VERSION, identity.version());
  }
}
