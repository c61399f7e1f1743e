package dev.outpost.gateway.route;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the gateway serves the routing table its source holds ({@link RouteTableHolder#loaded}),
 * as Envoy and Kong stay unready until their first configuration. A new pod that refused the table
 * (a stricter spec after an upgrade, an older gateway reading a newer agent's table) answered 404 to
 * every request while counting as ready, so a rolling update replaced every serving pod with it.
 */
@Readiness
@ApplicationScoped
public class RoutingTableReadiness implements HealthCheck {

  private final RouteTableHolder holder;

  RoutingTableReadiness(RouteTableHolder holder) {
    this.holder = holder;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("routing-table")
        .status(holder.loaded())
        .withData("revision", holder.current().revision())
        .withData("refused", holder.refusals())
        .build();
  }
}
