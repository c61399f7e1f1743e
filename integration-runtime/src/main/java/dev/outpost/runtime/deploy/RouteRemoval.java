package dev.outpost.runtime.deploy;

import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.jboss.logging.Logger;

/**
 * Removes one integration version's routes completely: the running routes (gracefully, in-flight
 * exchanges first), their policies among the context's services, the version's endpoints, their
 * definitions, and the REST definitions under its prefix — what a failed load can leave behind as
 * well as what an upgrade retires.
 */
final class RouteRemoval {

  private static final Logger LOG = Logger.getLogger(RouteRemoval.class);

  private RouteRemoval() {}

  /** Camel refuses a graceful stop without time; a route with nothing in flight stops at once. */
  private static final long MIN_STOP_MILLIS = 100;

  /**
   * Removes {@code routeIds}, the endpoints of version {@code key}, and the REST definitions under
   * {@code prefix}, giving exchanges still in flight {@code timeout} (Camel's context lock is held
   * meanwhile).
   */
  static void remove(CamelContext camel, Set<String> routeIds, String key, String prefix, Duration timeout) {
    // consumers first (HTTP, timers), then the direct/seda routes they call
    List<String> ordered = routeIds.stream()
        .sorted(Comparator.comparing((String id) -> isInternal(camel, id)))
        .toList();
    Set<RoutePolicy> policies = Collections.newSetFromMap(new IdentityHashMap<>());
    for (String id : ordered) {
      try {
        Route route = camel.getRoute(id);
        if (route != null) {
          policies.addAll(route.getRoutePolicyList());
          camel.getRouteController().stopRoute(id, Math.max(MIN_STOP_MILLIS, timeout.toMillis()), TimeUnit.MILLISECONDS);
          camel.removeRoute(id);
        }
      } catch (Exception e) {
        LOG.warnf("route %s could not be removed cleanly: %s", id, e.getMessage());
      }
    }
    removePolicyServices(camel, policies);
    removeEndpoints(camel, key, prefix);
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

  /**
   * Camel adds each route's policies to the context's services (metrics, tracing and the runtime's
   * own), and removing the route leaves them there: one upgrade of an HTTP integration left seven. A
   * policy another route still has (a factory may hand out one instance) stays.
   */
  private static void removePolicyServices(CamelContext camel, Set<RoutePolicy> policies) {
    if (policies.isEmpty()) {
      return;
    }
    camel.getRoutes().forEach(remaining -> remaining.getRoutePolicyList().forEach(policies::remove));
    for (RoutePolicy policy : policies) {
      try {
        camel.removeService(policy);
      } catch (Exception e) {
        LOG.warnf("route policy %s could not be removed: %s", policy, e.getMessage());
      }
    }
  }

  /**
   * The version's own endpoints: its HTTP and REST paths under {@code prefix}, its {@code direct:},
   * {@code seda:} and {@code timer:} names under {@code key}. Removing a route removes the endpoints
   * it gathers, but not a rest verb's, nor those a failed load made before its failing step.
   */
  private static void removeEndpoints(CamelContext camel, String key, String prefix) {
    for (Endpoint endpoint : List.copyOf(camel.getEndpoints())) {
      String uri = endpoint.getEndpointUri();
      // the trailing '/' and '.': retiring generation g1 must not take g12's
      if (uri.contains(prefix + "/") || uri.endsWith(prefix) || uri.contains("://" + key + ".")
          || uri.contains(":" + key + ".")) {
        try {
          camel.removeEndpoint(endpoint);
        } catch (Exception e) {
          LOG.warnf("endpoint %s could not be removed: %s", uri, e.getMessage());
        }
      }
    }
  }

  /** Whether the route is one of the integration's own direct or seda routes, called by its other routes. */
  static boolean isInternal(CamelContext camel, String routeId) {
    Route route = camel.getRoute(routeId);
    String uri = route == null ? "" : route.getEndpoint().getEndpointUri();
    return uri.startsWith("direct:") || uri.startsWith("seda:");
  }
}
