package dev.outpost.runtime.status;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What the runtime reports about one integration (metadata only: never payloads or secret values).
 *
 * @param phase {@code Deploying}, {@code Ready} or {@code Failed}
 * @param message Camel's error when {@code Failed} (secret values redacted), otherwise null
 */
@JsonPropertyOrder({"name", "project", "version", "phase", "message"})
public record IntegrationStatus(String name, String project, String version, String phase, String message) {

  public static final String DEPLOYING = "Deploying";
  public static final String READY = "Ready";
  public static final String FAILED = "Failed";
}
