package dev.outpost.agent.status;

import java.net.URI;
import java.util.Optional;

/** Reads the gateway's {@code GET /outpost/routes} on its management port. */
final class GatewayRoutesReader {
  private final ManagementClient client = new ManagementClient();
  private final Optional<URI> routesUri;

  GatewayRoutesReader(Optional<URI> gatewayManagement) {
    this.routesUri = gatewayManagement.map(g -> g.resolve("/outpost/routes"));
  }

  RoutesStatus read() {
    return routesUri.flatMap(client::get)
        .map(n -> new RoutesStatus(n.path("revision").asLong(-1), n.path("routes").asInt(-1)))
        .orElse(RoutesStatus.UNKNOWN);
  }
}
