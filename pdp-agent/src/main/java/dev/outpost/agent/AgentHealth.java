package dev.outpost.agent;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness with the agent's state as data. A lost control plane does not make the agent unready:
 * what runs keeps running (static stability), and restarting the agent would not help.
 */
@Readiness
@Singleton
public class AgentHealth implements HealthCheck {
  private final AgentRuntime runtime;

  public AgentHealth(AgentRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public HealthCheckResponse call() {
    DesiredStateKeeper keeper = runtime.keeper();
    var builder = HealthCheckResponse.named("outpost-agent").status(keeper != null)
        .withData("applying", runtime.applying())
        .withData("controlPlaneConnected", runtime.connected());
    if (keeper != null) {
      builder.withData("lastAppliedRevision", keeper.reconcileStatus().lastAppliedRevision())
          .withData("lastAttemptedRevision", keeper.reconcileStatus().lastAttemptedRevision())
          .withData("enforcedRevision", keeper.lastAppliedRevision());
    }
    return builder.build();
  }
}
