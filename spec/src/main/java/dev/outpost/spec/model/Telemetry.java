package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * How long observability-api keeps telemetry.
 *
 * @param logsRetentionDays days logs are kept; default 7, 1 to 365
 * @param tracesRetentionDays days traces are kept; default 7, 1 to 365
 */
@JsonPropertyOrder({"logsRetentionDays", "tracesRetentionDays"})
public record Telemetry(int logsRetentionDays, int tracesRetentionDays) {
  public static final int DEFAULT_RETENTION_DAYS = 7;
  public static final Telemetry DEFAULT = new Telemetry(DEFAULT_RETENTION_DAYS, DEFAULT_RETENTION_DAYS);
}
