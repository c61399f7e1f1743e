package dev.outpost.runtime.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What the runtime reports about one integration (metadata only: never payloads or secret values).
 *
 * @param phase {@code Deploying}, {@code Ready} or {@code Failed}
 * @param message Camel's error when {@code Failed} (secret values redacted), otherwise null
 * @param servingVersion when {@code version} failed, the version that serves on in its place, if one
 *     does: the agent reports that a replica serves, as a failed rollout's old pods do in Kubernetes
 */
@JsonPropertyOrder({"name", "project", "version", "phase", "message", "servingVersion"})
public record IntegrationStatus(String name, String project, String version, String phase, String message,
    @JsonInclude(JsonInclude.Include.NON_NULL) String servingVersion) {

  public IntegrationStatus(String name, String project, String version, String phase, String message) {
    this(name, project, version, phase, message, null);
  }

  /**
   * What a failed status's message ends with while {@code servingVersion} serves on in its place:
   * for the same version string, a redeploy (a changed source) failed and the deployment before it serves.
   */
  public static String servingSuffix(String version, String servingVersion) {
    return servingVersion.equals(version)
        ? " (its previous deployment of version " + servingVersion + " still serves)"
        : " (version " + servingVersion + " still serves)";
  }

  /** This status once the version said to serve on has stopped too: nothing is said to serve. */
  public IntegrationStatus servingStopped() {
    String suffix = servingVersion == null ? "" : servingSuffix(version, servingVersion);
    String plain = message != null && !suffix.isEmpty() && message.endsWith(suffix)
        ? message.substring(0, message.length() - suffix.length()) : message;
    return new IntegrationStatus(name, project, version, phase, plain);
  }

  public static final String DEPLOYING = "Deploying";
  public static final String READY = "Ready";
  public static final String FAILED = "Failed";
}
