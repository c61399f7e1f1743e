package dev.outpost.runtime.status;

import dev.outpost.runtime.source.DirectorySource;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness on the management port: not ready until the integrations directory has been applied
 * once (in Kubernetes the pod then receives traffic only when its integration serves), with each
 * integration's phase in the check's data. A {@code Failed} integration does not make the runtime
 * unready: the others (or the previous version) still serve, and the status endpoint reports it.
 */
@Readiness
@ApplicationScoped
public class IntegrationsReadiness implements HealthCheck {

  private final DirectorySource directory;
  private final StatusRegistry statuses;

  IntegrationsReadiness(DirectorySource directory, StatusRegistry statuses) {
    this.directory = directory;
    this.statuses = statuses;
  }

  @Override
  public HealthCheckResponse call() {
    var response = HealthCheckResponse.named("integrations").status(directory.appliedOnce());
    statuses.all().forEach(s -> response.withData(s.name(), s.phase()));
    return response.build();
  }
}
