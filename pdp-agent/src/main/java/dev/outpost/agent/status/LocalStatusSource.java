package dev.outpost.agent.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Status from the local processes' management ports (ARCHITECTURE.md, "Status the agent reads"):
 * the runtime's {@code GET /outpost/integrations} and the gateway's {@code GET /outpost/routes}.
 * The runtime's {@code message} field is deliberately not read.
 */
public final class LocalStatusSource implements StatusSource {
  private final ManagementClient client = new ManagementClient();
  private final URI integrationsUri;
  private final GatewayRoutesReader gateway;
  /** The runtime has answered once since the agent started. */
  private volatile boolean answered;

  /**
   * @param runtimeManagement the runtime's management base URL, e.g. {@code http://127.0.0.1:9001}
   * @param gatewayRoutes the gateway's {@code /outpost/routes}, e.g. {@code
   *     http://127.0.0.1:9000/outpost/routes}; empty if none
   */
  public LocalStatusSource(URI runtimeManagement, Optional<URI> gatewayRoutes) {
    this.integrationsUri = runtimeManagement.resolve("/outpost/integrations");
    this.gateway = new GatewayRoutesReader(gatewayRoutes);
  }

  /**
   * The runtime's integrations. A runtime that does not answer is one that has not started yet, its
   * integrations {@code Pending}, or, once it has answered, one that stopped (crashed, killed, out of
   * memory): nothing restarts it locally, so its integrations are {@code Failed} until it is back.
   */
  @Override
  public IntegrationsSeen integrations() {
    Optional<JsonNode> answer = client.get(integrationsUri).filter(JsonNode::isArray);
    if (answer.isEmpty()) {
      return answered
          ? IntegrationsSeen.unreadable(ObservedIntegration.FAILED, "the integration runtime stopped answering at "
              + integrationsUri.getAuthority())
          : IntegrationsSeen.unreadable(ObservedIntegration.PENDING, "waiting for the integration runtime to answer at "
              + integrationsUri.getAuthority());
    }
    answered = true;
    List<ObservedIntegration> result = new ArrayList<>();
    answer.get().forEach(item -> {
      String name = item.path("name").asText("");
      if (!name.isEmpty()) {
        String phase = phase(item.path("phase").asText(""));
        result.add(new ObservedIntegration(name, item.path("version").asText(""), phase,
            ObservedIntegration.READY.equals(phase) ? 1 : 0, 1, null));
      }
    });
    return IntegrationsSeen.of(result);
  }

  @Override
  public RoutesStatus routes() {
    return gateway.read();
  }

  /** Only the phases the contract defines pass through; anything else is pending. */
  static String phase(String reported) {
    return switch (reported) {
      case ObservedIntegration.DEPLOYING, ObservedIntegration.READY, ObservedIntegration.FAILED -> reported;
      default -> ObservedIntegration.PENDING;
    };
  }
}
