package dev.outpost.runtime.telemetry;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;

/**
 * Tags Quarkus' HTTP server meters with the methods HTTP defines, any other as {@code UNKNOWN}
 * (Quarkus' own value for none). Quarkus tags each request with its method as sent, and Vert.x takes
 * any token for a method, so a client making up {@code X1}, {@code X2} ... made a new series each,
 * kept until a restart.
 */
@Singleton
public class HttpMethodTagFilter implements MeterFilter {

  private static final MeterFilter UNKNOWN_METHODS = MeterFilter.replaceTagValues("method", method -> "UNKNOWN",
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  @Override
  public Meter.Id map(Meter.Id id) {
    return UNKNOWN_METHODS.map(id);
  }
}
