package dev.outpost.agent.targets;

import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.Telemetry;
import dev.outpost.spec.state.StateCodec;
import java.nio.charset.StandardCharsets;

/** The bytes of the documents the agent writes, in the formats spec defines for their readers. */
public final class StateDocuments {
  private StateDocuments() {}

  /**
   * {@code state/integrations/<name>.json}, ConfigMap {@code int-<name>-<hash>}: what one runtime
   * runs, so with the default replica count whatever the state asks. The count sizes the Deployment;
   * in the document, whose hash names the pods' ConfigMap and marks their template, a change of it
   * alone replaced every pod (and locally redeployed the integration).
   */
  public static String integration(Integration integration) {
    return StateCodec.toJson(integration.replicas() == Integration.DEFAULT_REPLICAS ? integration
        : new Integration(integration.name(), integration.project(), integration.version(), integration.source(),
            integration.config(), integration.secrets(), Integration.DEFAULT_REPLICAS, integration.resources()));
  }

  /** {@code state/routes.json}, ConfigMap {@code outpost-gateway-routes}. */
  public static String routes(RoutingTable routes) {
    return StateCodec.toJson(routes);
  }

  /** {@code state/telemetry.json}, ConfigMap {@code outpost-telemetry}: read by observability-api. */
  public static String telemetry(Telemetry telemetry) {
    return StateCodec.toJson(telemetry);
  }

  public static byte[] bytes(String document) {
    return document.getBytes(StandardCharsets.UTF_8);
  }
}
