package dev.outpost.spec.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.List;

/**
 * Agent → control plane: what is running. Metadata only: never payloads, log lines or secret
 * values. Each status is complete (not a delta), so only the newest unacknowledged one matters.
 *
 * @param seq increases with every status the agent sends; answered by {@link StatusAck}
 * @param dataPlane the data plane's id
 * @param observedAt when the agent observed this (RFC 3339, UTC)
 * @param lastAppliedRevision the revision running now; 0 when none
 * @param lastAttemptedRevision the newest revision the agent tried to apply (equal to
 *     lastAppliedRevision unless the last attempt failed)
 * @param integrations one entry per desired integration
 * @param gateway the gateway's state
 */
@JsonPropertyOrder({"seq", "dataPlane", "observedAt", "lastAppliedRevision", "lastAttemptedRevision",
    "integrations", "gateway"})
public record Status(long seq, String dataPlane, Instant observedAt, long lastAppliedRevision,
    long lastAttemptedRevision, List<IntegrationStatus> integrations, GatewayStatus gateway) implements ProtocolMessage {
  public static final String TYPE = "status";

  public Status {
    integrations = integrations == null ? List.of() : List.copyOf(integrations);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /**
   * One integration's state.
   *
   * @param phase one of {@link #PHASES}
   * @param message a short human-readable reason for the phase (e.g. Kubernetes' reason why the
   *     pods do not start); optional, never payload data or secret values
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"name", "project", "version", "phase", "readyReplicas", "desiredReplicas", "message"})
  public record IntegrationStatus(String name, String project, String version, String phase, int readyReplicas,
      int desiredReplicas, String message) {
    /**
     * {@code Pending}: not started yet; {@code Deploying}: starting or upgrading; {@code Ready}: all
     * desired replicas serve; {@code Degraded}: some but not all do; {@code Failed}: it cannot run.
     */
    public static final List<String> PHASES = List.of("Pending", "Deploying", "Ready", "Degraded", "Failed");
  }

  /**
   * The gateway's state.
   *
   * @param revision the routing table revision the gateway serves; 0 when unknown
   * @param routes how many routes it serves
   * @param ready whether it accepts traffic
   */
  @JsonPropertyOrder({"revision", "routes", "ready"})
  public record GatewayStatus(long revision, int routes, boolean ready) {}
}
