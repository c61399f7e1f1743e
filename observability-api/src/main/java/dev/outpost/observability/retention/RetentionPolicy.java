package dev.outpost.observability.retention;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.spec.model.Telemetry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/**
 * How long logs and traces are kept now: {@code storage.retention} for both until the state's
 * telemetry settings arrive ({@link TelemetrySettingsWatch}), then what they say.
 */
@ApplicationScoped
public class RetentionPolicy {

  @Inject ObservabilityConfig config;

  private volatile Duration logs;
  private volatile Duration traces;

  @PostConstruct
  void init() {
    logs = config.storage().retention();
    traces = config.storage().retention();
  }

  public Duration logs() {
    return logs;
  }

  public Duration traces() {
    return traces;
  }

  /** Takes the state's settings; whether anything changed. */
  public boolean apply(Telemetry telemetry) {
    Duration newLogs = Duration.ofDays(telemetry.logsRetentionDays());
    Duration newTraces = Duration.ofDays(telemetry.tracesRetentionDays());
    boolean changed = !newLogs.equals(logs) || !newTraces.equals(traces);
    logs = newLogs;
    traces = newTraces;
    return changed;
  }
}
