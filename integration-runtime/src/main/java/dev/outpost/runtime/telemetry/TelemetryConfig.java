package dev.outpost.runtime.telemetry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the runtime's telemetry, validated at start ({@link TelemetryConfigValidator}). */
@ConfigMapping(prefix = "outpost.runtime.telemetry")
public interface TelemetryConfig {

  /**
   * How many log records a second one integration may send to observability-api, with bursts of
   * twice as many; what it logs past that is left out of the export, counted in
   * {@code outpost_integration_log_records_dropped_total} and told at WARN to its own project (the
   * runtime's own log keeps every line). Locally every integration of every project shares one
   * runtime and one export queue: a flood from one dropped the others' records. The runtime's own
   * records are not counted against any budget. By default 1000; at least 1.
   */
  @WithDefault("1000")
  int logRecordsPerSecond();
}
