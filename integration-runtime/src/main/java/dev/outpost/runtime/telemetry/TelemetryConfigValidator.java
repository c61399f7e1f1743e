package dev.outpost.runtime.telemetry;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Fails the start when the telemetry configuration cannot work, naming the key. */
@Startup
@ApplicationScoped
public class TelemetryConfigValidator {

  @Inject TelemetryConfig config;

  @PostConstruct
  void validate() {
    if (config.logRecordsPerSecond() < 1) {
      throw new IllegalStateException("outpost.runtime.telemetry.log-records-per-second must be at least 1");
    }
  }
}
