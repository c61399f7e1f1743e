package dev.outpost.gateway.route;

import dev.outpost.spec.model.IdentityProvider;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.path.BadPathException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One routing table ready to serve: immutable, so a reload swaps the whole object and a request
 * always sees one table from start to end.
 */
public final class ActiveRoutes {

  public static final ActiveRoutes EMPTY = new ActiveRoutes(new RoutingTable(0, List.of(), List.of()));

  private final RoutingTable table;
  private final List<CompiledRoute> routes;
  private final Map<String, IdentityProvider> identityProviders;
  private final Set<String> routeIds;
  private final Set<String> integrations;

  /**
   * @throws IllegalArgumentException when a route's prefix is not a valid path
   */
  public ActiveRoutes(RoutingTable table) {
    this.table = table;
    List<CompiledRoute> compiled = new ArrayList<>();
    for (Route route : table.routes()) {
      if (route.id() == null || route.match() == null || route.match().pathPrefix() == null) {
        throw new IllegalArgumentException("route " + route.id() + ": id and match.pathPrefix are required");
      }
      try {
        compiled.add(new CompiledRoute(route));
      } catch (BadPathException e) {
        throw new IllegalArgumentException("route " + route.id() + ": match.pathPrefix: " + e.getMessage());
      }
    }
    this.routes = List.copyOf(compiled);
    this.routeIds = routes.stream().map(CompiledRoute::id).collect(Collectors.toUnmodifiableSet());
    this.integrations = routes.stream().map(r -> r.route().integration()).collect(Collectors.toUnmodifiableSet());
    Map<String, IdentityProvider> idps = new HashMap<>();
    table.identityProviders().forEach(idp -> idps.put(idp.name(), idp));
    this.identityProviders = Map.copyOf(idps);
  }

  public long revision() {
    return table.revision();
  }

  public int size() {
    return routes.size();
  }

  public RoutingTable table() {
    return table;
  }

  public Map<String, IdentityProvider> identityProviders() {
    return identityProviders;
  }

  /** The ids of this table's routes. */
  public Set<String> routeIds() {
    return routeIds;
  }

  /** The integrations this table's routes go to. */
  public Set<String> integrations() {
    return integrations;
  }

  /**
   * The most specific route for a request, or null. Ties go to the route listed first.
   *
   * @param host the request's host name, lower case, without port; may be null
   * @param method the upper-case method
   * @param path the normalised path
   */
  public CompiledRoute match(String host, String method, String path) {
    CompiledRoute best = null;
    int bestScore = CompiledRoute.NO_MATCH;
    for (CompiledRoute route : routes) {
      int score = route.score(host, method, path);
      if (score > bestScore) {
        best = route;
        bestScore = score;
      }
    }
    return best;
  }
}
