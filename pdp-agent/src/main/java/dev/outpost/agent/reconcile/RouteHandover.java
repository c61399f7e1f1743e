package dev.outpost.agent.reconcile;

import dev.outpost.agent.status.ObservedIntegration;
import dev.outpost.agent.status.StatusSource;
import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RoutingTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Moves a route to another integration (a rename, blue/green) only once that integration serves:
 * until then the route stays on the integration that serves it, as a rolling update keeps the old
 * pods until the new ones are ready. Without it the route pointed at pods still starting (503s),
 * and the old integration was pruned in the same pass.
 *
 * <p>A route moves when the table the gateway has gives its id, in the same project and with the
 * same match and prefix stripping, another integration that still exists. It is held while the old
 * integration has a ready instance and the new one does not serve the version the state asks for;
 * everything else of the route (auth, limits, CORS) is the new revision's at once. Once it moved,
 * the old integration is kept one pass more, so the gateway stops sending to it before it goes.
 * What cannot be observed holds nothing: the route moves at once, as before.
 */
final class RouteHandover {
  private static final Logger LOG = Logger.getLogger(RouteHandover.class);

  private final StatusSource observed;
  /** The integrations the last plan holds routes on or moved routes from: not pruned in its pass. */
  private Set<String> kept = Set.of();

  RouteHandover(StatusSource observed) {
    this.observed = observed;
  }

  /** The routing table to write for {@code desired}: its routes, each moved one held while it must be. */
  RoutingTable plan(DataPlaneState desired, Target target) throws TargetException {
    RoutingTable wanted = RoutingTable.of(desired);
    Map<String, Route> current = target.routes().map(RoutingTable::routes).orElse(List.of()).stream()
        .collect(Collectors.toMap(Route::id, Function.identity(), (a, b) -> a));
    List<Route> moved = wanted.routes().stream().filter(r -> movedFrom(r, current.get(r.id())).isPresent()).toList();
    if (moved.isEmpty()) {
      kept = Set.of();
      return wanted;
    }
    Set<String> inventory = target.integrations();
    Map<String, ObservedIntegration> seen = observed.integrations().stream()
        .collect(Collectors.toMap(ObservedIntegration::name, Function.identity(), (a, b) -> a));
    Map<String, String> versions = desired.integrations().stream()
        .collect(Collectors.toMap(Integration::name, Integration::version));
    Set<String> keep = new TreeSet<>();
    List<Route> routes = new ArrayList<>(wanted.routes().size());
    for (Route route : wanted.routes()) {
      String from = movedFrom(route, current.get(route.id())).filter(inventory::contains).orElse(null);
      if (from == null) {
        routes.add(route);
        continue;
      }
      keep.add(from);
      if (hasReadyInstance(seen.get(from)) && !serves(seen.get(route.integration()), versions.get(route.integration()))) {
        LOG.infof("revision %d: route %s stays on integration %s until %s serves version %s", desired.revision(),
            route.id(), from, route.integration(), versions.get(route.integration()));
        routes.add(on(route, from));
      } else {
        routes.add(route);
      }
    }
    kept = Set.copyOf(keep);
    return new RoutingTable(wanted.revision(), wanted.identityProviders(), routes);
  }

  /** The integrations the last plan must keep: a pass prunes none of them. */
  Set<String> kept() {
    return kept;
  }

  /** The integration a route moves away from: the one it had, if only that changed. */
  private static Optional<String> movedFrom(Route route, Route before) {
    if (before == null || before.integration() == null || before.integration().equals(route.integration())
        || !before.project().equals(route.project()) || !before.match().equals(route.match())
        || before.stripPrefix() != route.stripPrefix()) {
      return Optional.empty();
    }
    return Optional.of(before.integration());
  }

  private static boolean hasReadyInstance(ObservedIntegration o) {
    return o != null && o.readyReplicas() > 0;
  }

  /** Serves the version asked for: rolled out (Ready or Degraded) at it, with an instance ready. */
  private static boolean serves(ObservedIntegration o, String version) {
    return o != null && o.readyReplicas() > 0 && o.version().equals(version)
        && (ObservedIntegration.READY.equals(o.phase()) || ObservedIntegration.DEGRADED.equals(o.phase()));
  }

  private static Route on(Route r, String integration) {
    return new Route(r.id(), r.project(), r.match(), integration, r.stripPrefix(), r.auth(), r.rateLimit(),
        r.timeoutMillis(), r.retries(), r.cors(), r.maxBodyBytes());
  }
}
