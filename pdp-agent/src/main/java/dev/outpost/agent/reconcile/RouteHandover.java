package dev.outpost.agent.reconcile;

import dev.outpost.agent.status.ObservedIntegration;
import dev.outpost.agent.status.StatusSource;
import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RoutingTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 * same match and prefix stripping, another integration that still exists and that the state does
 * not give to another project (while a failed pass is put back: the integration the last pass that
 * succeeded held it on, unless the failed pass gave that name to another project). It is held while
 * the old integration has a ready instance and the new one, asked for with replicas, does not serve
 * the version the state asks for, at most {@link #MAX_HOLD}; everything else of the route (auth,
 * limits, CORS) is the new revision's at once. Once it moved, the old integration is kept {@link
 * #DRAIN} more, so the gateway stops sending to it before it goes. A status that cannot be read
 * keeps the holds as they are.
 *
 * <p>Only where integrations run apart (Kubernetes): in one local runtime two integrations cannot
 * serve the same paths, so the new one could not start while the old one stayed.
 */
final class RouteHandover {
  private static final Logger LOG = Logger.getLogger(RouteHandover.class);
  /** As Kubernetes' default progress deadline: past it the new integration is Failed anyway. */
  static final Duration MAX_HOLD = Duration.ofMinutes(10);
  /** How long an integration a route left is kept: the gateway's informer has the new table by then. */
  static final Duration DRAIN = Duration.ofSeconds(10);

  /** A route kept on {@code from} since {@code since}, while it moves to {@code to}. */
  private record Hold(String from, String to, Instant since) {}

  private final StatusSource observed;
  private final Clock clock;
  /** The routes held, by id, as the last pass that succeeded left them: a failed pass's put-back plans from them. */
  private Map<String, Hold> holds = new HashMap<>();
  /** The holds the pass under way plans; they replace {@link #holds} if it succeeds. */
  private Map<String, Hold> planned = new HashMap<>();
  /** Integrations routes left, until when they are kept. */
  private final Map<String, Instant> draining = new HashMap<>();
  private Set<String> kept = Set.of();

  RouteHandover(StatusSource observed, Clock clock) {
    this.observed = observed;
    this.clock = clock;
  }

  /** The routing table to write for {@code desired}: its routes, each moved one held while it must be. */
  RoutingTable plan(DataPlaneState desired, Target target) throws TargetException {
    RoutingTable wanted = RoutingTable.of(desired);
    Instant now = clock.instant();
    draining.values().removeIf(until -> !until.isAfter(now));
    planned = new HashMap<>();
    if (!target.isolatesIntegrations()) {
      kept = Set.of();
      return wanted;
    }
    Optional<RoutingTable> table = target.routes();
    Map<String, Route> current = table.map(RoutingTable::routes).orElse(List.of()).stream()
        .collect(Collectors.toMap(Route::id, Function.identity(), (a, b) -> a));
    // a newer table than the state: a failed pass's, being put back; the holds kept are the truth
    boolean puttingBack = table.isPresent() && table.get().revision() > desired.revision();
    Map<String, Integration> integrations = desired.integrations().stream()
        .collect(Collectors.toMap(Integration::name, Function.identity()));
    Map<String, String> moves = new TreeMap<>();
    for (Route route : wanted.routes()) {
      movedFrom(route, current.get(route.id()), puttingBack, integrations).ifPresent(from -> moves.put(route.id(), from));
    }
    if (moves.isEmpty()) {
      kept = Set.copyOf(draining.keySet());
      return wanted;
    }
    Set<String> inventory = target.integrations();
    List<ObservedIntegration> seenList = observed.integrations().integrations();
    Map<String, ObservedIntegration> seen = seenList.stream()
        .collect(Collectors.toMap(ObservedIntegration::name, Function.identity(), (a, b) -> a));
    List<Route> routes = new ArrayList<>(wanted.routes().size());
    for (Route route : wanted.routes()) {
      String from = moves.get(route.id());
      if (from == null || !inventory.contains(from)
          || !target.projectOf(from).map(route.project()::equals).orElse(true)) {
        // the name now runs another project's integration (written by a failed pass being put
        // back): holding the route there would send its callers to that project
        routes.add(route);
        continue;
      }
      Integration to = integrations.get(route.integration());
      Hold hold = holds.get(route.id());
      if (hold != null && !(hold.from().equals(from) && hold.to().equals(route.integration()))) {
        hold = null;
      }
      boolean holding;
      if (seenList.isEmpty() && !inventory.isEmpty()) {
        holding = hold != null; // nothing could be read: as it was
      } else {
        holding = to.replicas() > 0 && hasReadyInstance(seen.get(from)) && !serves(seen.get(to.name()), to.version());
      }
      if (holding && hold != null && Duration.between(hold.since(), now).compareTo(MAX_HOLD) >= 0) {
        LOG.warnf("revision %d: route %s moves to integration %s, which does not serve after %d minutes of waiting",
            desired.revision(), route.id(), to.name(), MAX_HOLD.toMinutes());
        holding = false;
      }
      if (holding) {
        if (hold == null) {
          hold = new Hold(from, to.name(), now);
          LOG.infof("revision %d: route %s stays on integration %s until %s serves version %s", desired.revision(),
              route.id(), from, to.name(), to.version());
        }
        planned.put(route.id(), hold);
        routes.add(on(route, from));
      } else {
        draining.putIfAbsent(from, now.plus(DRAIN));
        routes.add(route);
      }
    }
    Set<String> keep = new TreeSet<>(draining.keySet());
    planned.values().forEach(h -> keep.add(h.from()));
    kept = Set.copyOf(keep);
    return new RoutingTable(wanted.revision(), wanted.identityProviders(), routes);
  }

  /** Called when a pass ends: the holds it planned are the ones in force only if it succeeded. */
  void settle(boolean succeeded) {
    if (succeeded) {
      holds = planned;
    }
  }

  /** The integrations the last plan must keep: a pass prunes none of them. */
  Set<String> kept() {
    return kept;
  }

  /** The routes held elsewhere, by the integration each waits for. */
  Map<String, List<String>> waiting() {
    Map<String, List<String>> byIntegration = new TreeMap<>();
    holds.forEach((route, hold) -> byIntegration.computeIfAbsent(hold.to(), i -> new ArrayList<>()).add(route));
    byIntegration.values().forEach(list -> list.sort(null));
    return byIntegration;
  }

  /**
   * The integration a route moves away from: the one the table gives it, if only that changed (or,
   * while a failed pass is put back, the one this agent held it on), and if the state does not give
   * that integration to another project (a name reused: holding the route there would send the
   * route's callers to that project).
   */
  private Optional<String> movedFrom(Route route, Route before, boolean puttingBack,
      Map<String, Integration> integrations) {
    Hold hold = holds.get(route.id());
    String from;
    if (puttingBack && hold != null && hold.to().equals(route.integration())) {
      from = hold.from();
    } else if (before != null && before.project().equals(route.project()) && before.match().equals(route.match())
        && before.stripPrefix() == route.stripPrefix()) {
      from = before.integration();
    } else {
      from = null;
    }
    if (from == null || from.equals(route.integration())) {
      return Optional.empty();
    }
    Integration stays = integrations.get(from);
    return stays != null && !stays.project().equals(route.project()) ? Optional.empty() : Optional.of(from);
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
