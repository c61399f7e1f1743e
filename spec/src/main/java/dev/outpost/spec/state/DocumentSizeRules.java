package dev.outpost.spec.state;

import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import java.nio.charset.StandardCharsets;

/**
 * Each document the agent writes must fit where Kubernetes keeps it: one integration in ConfigMap
 * {@code int-<name>}, the routing table in ConfigMap {@code outpost-gateway-routes}, and a
 * ConfigMap holds at most 1 MiB. A state that breaks this is refused up front, naming the field,
 * instead of being nacked halfway through an apply by the API server.
 */
final class DocumentSizeRules {
  /** 1 MiB less room for the ConfigMap's key and metadata; the runtime reads files up to 1 MiB. */
  static final int MAX_DOCUMENT_BYTES = 1_000_000;

  private DocumentSizeRules() {}

  static void checkIntegration(Integration integration, String path, Problems problems) {
    int bytes = utf8Length(StateCodec.toJson(integration));
    if (bytes > MAX_DOCUMENT_BYTES) {
      problems.add(Problems.field(path, "source"), "makes the integration " + bytes + " bytes as JSON, more than the "
          + MAX_DOCUMENT_BYTES + " bytes it may have (Kubernetes keeps it in a ConfigMap of at most 1 MiB)");
    }
  }

  static void checkRoutingTable(RoutingTable table, Problems problems) {
    int bytes = utf8Length(StateCodec.toJson(table));
    if (bytes > MAX_DOCUMENT_BYTES) {
      problems.add("routes", "make the routing table " + bytes + " bytes as JSON, more than the " + MAX_DOCUMENT_BYTES
          + " bytes it may have (Kubernetes keeps it in a ConfigMap of at most 1 MiB)");
    }
  }

  private static int utf8Length(String json) {
    return json.getBytes(StandardCharsets.UTF_8).length;
  }
}
