package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Optional;

/**
 * The desired state of one data plane, as the control plane decides it.
 *
 * <p>A state is immutable and carries a {@code revision} that only grows: the agent applies a
 * state only when its revision is newer than the last one it applied. Instances are produced by
 * {@code StateCodec} (which also validates); the constructor does no validation of its own.
 *
 * @param apiVersion always {@value #API_VERSION}
 * @param revision monotonically increasing revision, at least 1
 * @param dataPlane the id of the data plane this state is meant for (a DNS-1123 label)
 * @param identityProviders the token issuers routes may trust
 * @param integrations the Camel integrations to run
 * @param routes the gateway's routes to those integrations
 * @param telemetry how long logs and traces are kept
 */
@JsonPropertyOrder({"apiVersion", "revision", "dataPlane", "identityProviders", "integrations", "routes", "telemetry"})
public record DataPlaneState(
    String apiVersion,
    long revision,
    String dataPlane,
    List<IdentityProvider> identityProviders,
    List<Integration> integrations,
    List<Route> routes,
    Telemetry telemetry) {

  public static final String API_VERSION = "outpost.dev/v1";

  public DataPlaneState {
    identityProviders = identityProviders == null ? List.of() : List.copyOf(identityProviders);
    integrations = integrations == null ? List.of() : List.copyOf(integrations);
    routes = routes == null ? List.of() : List.copyOf(routes);
    telemetry = telemetry == null ? Telemetry.DEFAULT : telemetry;
  }

  public Optional<Integration> integration(String name) {
    return integrations.stream().filter(i -> i.name().equals(name)).findFirst();
  }

  public Optional<IdentityProvider> identityProvider(String name) {
    return identityProviders.stream().filter(i -> i.name().equals(name)).findFirst();
  }

  public Optional<Route> route(String id) {
    return routes.stream().filter(r -> r.id().equals(id)).findFirst();
  }
}
