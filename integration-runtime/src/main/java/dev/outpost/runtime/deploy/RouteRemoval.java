package dev.outpost.runtime.deploy;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.jboss.logging.Logger;

/**
 * Removes one integration version's routes completely: the running routes (gracefully, in-flight
 * exchanges first), their definitions, and the REST definitions under its prefix — what a failed
 * load can leave behind as well as what an upgrade retires.
 */
final class RouteRemoval {

  private static final Logger LOG = Logger.getLogger(RouteRemoval.class);

  private RouteRemoval() {}

  /** Camel refuses a graceful stop without time; a route with nothing in flight stops at once. */
  private static final long MIN_STOP_MILLIS = 100;

  /**
   * Removes {@code routeIds} and the REST definitions under {@code prefix}, giving exchanges still
   * in flight {@code timeout} (Camel's context lock is held meanwhile).
   */
  static void remove(CamelContext camel, Set<String> routeIds, String prefix, Duration timeout) {
    // consumers first (HTTP, timers), then the direct/seda routes they call
    List<String> ordered = routeIds.stream()
        .sorted(Comparator.comparing((String id) -> isInternal(camel, id)))
        .toList();
    for (String id : ordered) {
      try {
        if (camel.getRoute(id) != null) {
          camel.getRouteController().stopRoute(id, Math.max(MIN_STOP_MILLIS, timeout.toMillis()), TimeUnit.MILLISECONDS);
          camel.removeRoute(id);
        }
      } catch (Exception e) {
        LOG.warnf("route %s could not be removed cleanly: %s", id, e.getMessage());
      }
    }
    ModelCamelContext model = (ModelCamelContext) camel;
    List<RouteDefinition> definitions = model.getRouteDefinitions().stream()
        .filter(d -> routeIds.contains(d.getRouteId()))
        .toList();
    try {
      if (!definitions.isEmpty()) {
        model.removeRouteDefinitions(definitions);
      }
    } catch (Exception e) {
      LOG.warnf("route definitions %s could not be removed: %s", routeIds, e.getMessage());
    }
    // prefix + "/": retiring generation g1 must not take g12's REST definitions with it
    model.getRestDefinitions().removeIf(rest -> rest.getPath() != null
        && (rest.getPath().equals(prefix) || rest.getPath().startsWith(prefix + "/")));
  }

  /** Whether the route is one of the integration's own direct or seda routes, called by its other routes. */
  static boolean isInternal(CamelContext camel, String routeId) {
    Route route = camel.getRoute(routeId);
    String uri = route == null ? "" : route.getEndpoint().getEndpointUri();
    return uri.startsWith("direct:") || uri.startsWith("seda:");
  }
}
