package dev.outpost.agent.status;

/**
 * What the agent reports about one integration: names, version, phase and counts only — never a
 * message text, a payload or a log line (data sovereignty).
 *
 * @param name the integration
 * @param version the version running
 * @param phase {@code Deploying}, {@code Ready}, {@code Failed}, or {@code Unknown} when the
 *     runtime cannot be asked
 * @param readyReplicas replicas ready (1 or 0 locally)
 * @param desiredReplicas replicas asked for
 */
public record IntegrationStatus(String name, String version, String phase, int readyReplicas, int desiredReplicas) {
  public static final String DEPLOYING = "Deploying";
  public static final String READY = "Ready";
  public static final String FAILED = "Failed";
  public static final String UNKNOWN = "Unknown";
}
