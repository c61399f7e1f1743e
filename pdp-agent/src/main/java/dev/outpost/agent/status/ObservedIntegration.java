package dev.outpost.agent.status;

/**
 * What a status source observed about one integration: names, version, phase, counts, and in
 * Kubernetes why its pods do not serve in Kubernetes' own words ({@link NotReadyReason}) — never
 * a Camel error, a payload or a log line (data sovereignty).
 *
 * @param name the integration
 * @param version the version running
 * @param phase one of the protocol's phases: {@code Pending}, {@code Deploying}, {@code Ready},
 *     {@code Degraded}, {@code Failed}
 * @param readyReplicas replicas ready (1 or 0 locally)
 * @param desiredReplicas replicas asked for
 * @param message why the phase is not {@code Ready}, or null
 */
public record ObservedIntegration(String name, String version, String phase, int readyReplicas, int desiredReplicas,
    String message) {
  public static final String PENDING = "Pending";
  public static final String DEPLOYING = "Deploying";
  public static final String READY = "Ready";
  public static final String DEGRADED = "Degraded";
  public static final String FAILED = "Failed";
}
