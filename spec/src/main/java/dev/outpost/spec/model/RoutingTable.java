package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The part of a {@link DataPlaneState} the gateway needs: what the agent writes to {@code
 * state/routes.json} locally and to the {@code outpost-gateway-routes} ConfigMap in Kubernetes.
 * It never carries integration sources or configuration.
 *
 * @param revision the revision of the state it was cut from
 * @param identityProviders the issuers routes may trust
 * @param routes the routes, in the state's order
 */
@JsonPropertyOrder({"revision", "identityProviders", "routes"})
public record RoutingTable(long revision, List<IdentityProvider> identityProviders, List<Route> routes) {

  public RoutingTable {
    identityProviders = identityProviders == null ? List.of() : List.copyOf(identityProviders);
    routes = routes == null ? List.of() : List.copyOf(routes);
  }

  public static RoutingTable of(DataPlaneState state) {
    return new RoutingTable(state.revision(), state.identityProviders(), state.routes());
  }
}
