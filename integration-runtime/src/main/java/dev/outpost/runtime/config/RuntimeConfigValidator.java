package dev.outpost.runtime.config;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Fails the start when the configuration cannot work, naming the key. */
@Startup
@ApplicationScoped
public class RuntimeConfigValidator {

  static final int MIN_ADMIN_TOKEN_LENGTH = 16;

  @Inject RuntimeConfig config;

  @PostConstruct
  void validate() {
    config.admin().token().ifPresent(token -> {
      if (token.length() < MIN_ADMIN_TOKEN_LENGTH) {
        throw new IllegalStateException("outpost.runtime.admin.token must be at least "
            + MIN_ADMIN_TOKEN_LENGTH + " characters long");
      }
    });
    if (config.drainTimeout().isNegative()) {
      throw new IllegalStateException("outpost.runtime.drain-timeout must not be negative");
    }
    if (config.requestTimeout().toMillis() < 1) {
      throw new IllegalStateException("outpost.runtime.request-timeout must be at least 1ms");
    }
    if (config.maxRunningExchanges() < 1) {
      throw new IllegalStateException("outpost.runtime.max-running-exchanges must be at least 1");
    }
    if (config.stopWithin().toSeconds() < 1) {
      throw new IllegalStateException("outpost.runtime.stop-within must be at least 1s");
    }
    if (config.telemetry().logRecordsPerSecond() < 1) {
      throw new IllegalStateException("outpost.runtime.telemetry.log-records-per-second must be at least 1");
    }
    if (config.scanInterval().toMillis() < 10) {
      throw new IllegalStateException("outpost.runtime.scan-interval must be at least 10ms");
    }
  }
}
