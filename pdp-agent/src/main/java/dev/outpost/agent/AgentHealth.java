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
          // the keeper's: the put-back after a failed apply made the reconciler's the enforced one again
          .withData("lastAttemptedRevision", keeper.lastAttemptedRevision())
          .withData("enforcedRevision", keeper.lastAppliedRevision());
      // the newest revision's failed apply: the put-back of the enforced one that followed left the
      // pass's own status ready
      keeper.applyFailure().ifPresent(failed -> {
        builder.withData("attemptFailedStep", failed.failedStep())
            .withData("attemptFailure", String.valueOf(failed.failure()))
            .withData("attemptFailures", failed.attempts());
        failed.nextAttemptAt().ifPresent(next -> builder.withData("nextAttemptAt", next.toString()));
      });
      if (!status.ready()) {
        // a resync or put-back that fails leaves both revisions equal: only this says it fails, and why
        builder.withData("failedStep", status.failedStep())
            .withData("failure", String.valueOf(status.message()));
      }
    }
    return builder.build();
  }
}
