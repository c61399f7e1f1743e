package dev.outpost.agent;

import dev.outpost.agent.reconcile.ReconcileStatus;
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
      ReconcileStatus status = keeper.reconcileStatus();
      builder.withData("lastAppliedRevision", status.lastAppliedRevision())
          .withData("lastAttemptedRevision", status.lastAttemptedRevision())
          .withData("enforcedRevision", keeper.lastAppliedRevision());
      if (!status.ready()) {
        // a resync that fails leaves both revisions equal: only this says it fails, and why
        builder.withData("failedStep", status.failedStep())
            .withData("failure", String.valueOf(status.message()));
      }
    }
    return builder.build();
  }
}
