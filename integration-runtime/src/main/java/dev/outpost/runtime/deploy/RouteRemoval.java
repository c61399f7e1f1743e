package dev.outpost.runtime.deploy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * well as what an upgrade retires. In steps, if need be: Camel looks at every route of the context
 * for each route it removes, so a version of thousands of routes takes a while (43 s for 3,001 in
 * the local runtime), and the deployer lets other deployments in between ({@link #removeRoutes}).
 */
final class RouteRemoval {

  private static final Logger LOG = Logger.getLogger(RouteRemoval.class);

  /** Camel refuses a graceful stop without time; a route with nothing in flight stops at once. */
  private static final long MIN_STOP_MILLIS = 100;

  private final CamelContext camel;
  private final Set<String> routeIds;
  private final String key;
  private final String prefix;
  /** The routes still to remove, consumers first; null until the first step orders them. */
  private Deque<String> left;
  private final Set<RoutePolicy> policies = Collections.newSetFromMap(new IdentityHashMap<>());

  /**
   * The removal of {@code routeIds}, the endpoints of version {@code key}, and the REST definitions
   * under {@code prefix}.
   */
  RouteRemoval(CamelContext camel, Set<String> routeIds, String key, String prefix) {
    this.camel = camel;
    this.routeIds = routeIds;
    this.key = key;
    this.prefix = prefix;
  }

  /**
   * Stops and removes routes, consumers (HTTP, timers) before the direct and seda routes they call,
   * each giving exchanges still in flight {@code timeout}, until none is left or {@code step} has
   * passed (one route at least).
   *
   * @return whether routes are left for another step
   */
  boolean removeRoutes(Duration timeout, Duration step) {
    if (left == null) {
      left = routeIds.stream()
          .sorted(Comparator.comparing((String id) -> isInternal(camel, id)))
          .collect(Collectors.toCollection(ArrayDeque::new));
    }
    long end = System.nanoTime() + step.toNanos();
    do {
      String id = left.poll();
      if (id == null) {
        break;
      }
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
    } while (System.nanoTime() < end);
    return !left.isEmpty();
  }

  /** Once the routes are gone: their policies, the version's endpoints, route and REST definitions. */
  void finish() {
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
