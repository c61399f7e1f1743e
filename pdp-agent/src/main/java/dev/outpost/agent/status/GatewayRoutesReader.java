package dev.outpost.agent.status;

import java.net.URI;
import java.util.Optional;

/** Reads the gateway's {@code GET /outpost/routes} on its management port. */
final class GatewayRoutesReader {
  private final ManagementClient client = new ManagementClient();
  private final Optional<URI> routesUri;

  /** @param routesUri the gateway's {@code /outpost/routes} URL; empty when there is none */
  GatewayRoutesReader(Optional<URI> routesUri) {
    this.routesUri = routesUri;
  }

  RoutesStatus read() {
    return routesUri.flatMap(client::get)
        .map(n -> new RoutesStatus(n.path("revision").asLong(-1), n.path("routes").asInt(-1)))
        .orElse(RoutesStatus.UNKNOWN);
  }
}
