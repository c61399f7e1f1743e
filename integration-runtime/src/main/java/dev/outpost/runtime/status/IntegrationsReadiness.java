package dev.outpost.runtime.status;

import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.source.DirectorySource;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness on the management port: not ready until the integrations directory has been applied
 * once (in Kubernetes the pod then receives traffic only when its integration serves), with each
 * integration's phase in the check's data. A {@code Failed} integration does not make the runtime
 * unready: the others (or the previous version) still serve, and the status endpoint reports it;
 * unless {@code outpost.runtime.ready-requires-every-integration} is set, as in the pod of a single
 * integration, where a failed integration means that the pod serves nothing.
 */
@Readiness
@ApplicationScoped
public class IntegrationsReadiness implements HealthCheck {

  private final DirectorySource directory;
  private final ObservedStatuses statuses;
  private final boolean everyIntegration;

  IntegrationsReadiness(DirectorySource directory, ObservedStatuses statuses, RuntimeConfig config) {
    this.directory = directory;
    this.statuses = statuses;
    this.everyIntegration = config.readyRequiresEveryIntegration();
  }

  @Override
  public HealthCheckResponse call() {
    var all = statuses.all();
    boolean ready = directory.appliedOnce()
        && (!everyIntegration || all.stream().allMatch(s -> IntegrationStatus.READY.equals(s.phase())));
    var response = HealthCheckResponse.named("integrations").status(ready);
    all.forEach(s -> response.withData(s.name(), s.phase()));
    return response.build();
  }
}
