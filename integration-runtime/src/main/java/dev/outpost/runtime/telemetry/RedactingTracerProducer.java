package dev.outpost.runtime.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.arc.Unremovable;
import io.opentelemetry.api.trace.Tracer;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Makes {@link RedactingTracer} the application's {@link Tracer}, over Quarkus' default one. Kept
 * although nothing injects it: Camel looks it up by type at start.
 */
@Singleton
public class RedactingTracerProducer {

  @Produces
  @Singleton
  @Unremovable
  Tracer tracer(OpenTelemetry openTelemetry) {
    return new RedactingTracer(openTelemetry.getTracer(RedactingTracer.SCOPE));
  }
}
