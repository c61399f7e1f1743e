package dev.outpost.agent.status;

import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.protocol.Status;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Builds the protocol's {@code status} from the applied state, the revisions decided on and what
 * the components report: one entry per desired integration, in the state's order; an integration
 * the runtime does not (yet) know is {@code Pending}, and one the source could not read is what the
 * source says ({@link IntegrationsSeen}). The {@code message} field carries only what Kubernetes says
 * of an integration's pods ({@link NotReadyReason}) and the agent's own reasons; never the runtime's,
 * a Camel error that could quote a payload.
 */
public final class StatusReporter {
  private final String dataPlane;
  private final StatusSource source;
  private final Clock clock;

  public StatusReporter(String dataPlane, StatusSource source, Clock clock) {
    this.dataPlane = dataPlane;
    this.source = source;
    this.clock = clock;
  }

  /** A status without a sequence number (the outbox assigns it). */
  public Status observe(DataPlaneState desired, long lastAppliedRevision, long lastAttemptedRevision) {
    return observe(desired, lastAppliedRevision, lastAttemptedRevision, Map.of(), Map.of());
  }

  /**
   * A status without a sequence number; an integration that routes wait for (held on the one they
   * move from) says so in its message, since the control plane's state already gives them to it, and
   * so does one the agent's last pass could not write ({@code unwritten}: why, by name).
   */
  public Status observe(DataPlaneState desired, long lastAppliedRevision, long lastAttemptedRevision,
      Map<String, List<String>> waitingRoutes, Map<String, String> unwritten) {
    IntegrationsSeen seenNow = source.integrations();
    Map<String, ObservedIntegration> observed = seenNow.integrations().stream()
        .collect(Collectors.toMap(ObservedIntegration::name, Function.identity(), (a, b) -> b));
    List<Status.IntegrationStatus> integrations = new ArrayList<>();
    if (desired != null) {
      for (Integration integration : desired.integrations()) {
        ObservedIntegration seen = observed.get(integration.name());
        String notWritten = unwritten.get(integration.name());
        integrations.add(seen == null
            ? new Status.IntegrationStatus(integration.name(), integration.project(), integration.version(),
                seenNow.unseenPhase(), 0, integration.replicas(), joined(notWritten, seenNow.unseenMessage()))
            : asAsked(integration, seen, joined(notWritten, withWaiting(seen.message(), waitingRoutes.get(integration.name())))));
      }
    }
    RoutesStatus routes = source.routes();
    Status.GatewayStatus gateway = routes.routes() < 0
        ? new Status.GatewayStatus(0, 0, false)
        : new Status.GatewayStatus(Math.max(0, routes.revision()), routes.routes(), true);
    return new Status(0, dataPlane, clock.instant(), lastAppliedRevision, lastAttemptedRevision, integrations,
        gateway);
  }

  /**
   * What is seen of an integration, as of the version the state asks for: while another version
   * serves (the runtime has not loaded the new one yet, or kept an older one it was given), that one
   * is {@code Deploying}, as PROTOCOL.md 3.5 has it (reported Ready at the old version, a status
   * right after the ack read as the upgrade done); a runtime that names no version (a file it
   * refused) is reporting on the asked one.
   */
  static Status.IntegrationStatus asAsked(Integration integration, ObservedIntegration seen, String message) {
    String version = seen.version() == null || seen.version().isEmpty() ? integration.version() : seen.version();
    String phase = seen.phase();
    if (!version.equals(integration.version())
        && (ObservedIntegration.READY.equals(phase) || ObservedIntegration.DEGRADED.equals(phase))) {
      String serving = "version " + version + " serves until " + integration.version() + " is deployed";
      return new Status.IntegrationStatus(integration.name(), integration.project(), integration.version(),
          ObservedIntegration.DEPLOYING, seen.readyReplicas(), seen.desiredReplicas(),
          NotReadyReason.clean(message == null ? serving : serving + "; " + message));
    }
    return new Status.IntegrationStatus(integration.name(), integration.project(), version, phase,
        seen.readyReplicas(), seen.desiredReplicas(), message);
  }

  /** The agent's own failure to write an integration first, then what else its message says. */
  private static String joined(String notWritten, String message) {
    if (notWritten == null) {
      return message;
    }
    String failure = "the agent cannot write it: " + notWritten;
    return NotReadyReason.clean(message == null ? failure : failure + "; " + message);
  }

  private static String withWaiting(String message, List<String> routes) {
    if (routes == null || routes.isEmpty()) {
      return message;
    }
    String waiting = "route(s) " + String.join(", ", routes) + " stay on their previous integration until this one serves";
    return NotReadyReason.clean(message == null ? waiting : message + "; " + waiting);
  }
}
