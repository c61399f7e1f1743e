package dev.outpost.runtime.status;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The statuses as the agent and readiness see them: a {@code Ready} integration one of whose routes
 * has stopped since it started (a control bus, a route policy, a consumer Camel gave up on) is
 * {@code Failed} with the route named. Before, a status was only ever written at deploy time, so such
 * an integration stayed Ready while it served nothing.
 */
@ApplicationScoped
public class ObservedStatuses {

  private final StatusRegistry registry;
  private final RouteStates routes;

  ObservedStatuses(StatusRegistry registry, RouteStates routes) {
    this.registry = registry;
    this.routes = routes;
  }

  /** Every status, sorted by name. */
  public List<IntegrationStatus> all() {
    return registry.all().stream().map(this::observed).toList();
  }

  private IntegrationStatus observed(IntegrationStatus status) {
    if (status.servingVersion() != null && routes.notRunning(status.name(), status.servingVersion()).isPresent()) {
      // the version said to serve on in a failed one's place has stopped too
      return status.servingStopped();
    }
    if (!IntegrationStatus.READY.equals(status.phase())) {
      return status;
    }
    return routes.notRunning(status.name(), status.version())
        .map(problem -> new IntegrationStatus(status.name(), status.project(), status.version(),
            IntegrationStatus.FAILED, problem))
        .orElse(status);
  }
}
