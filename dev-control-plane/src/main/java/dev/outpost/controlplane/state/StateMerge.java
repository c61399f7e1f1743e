package dev.outpost.controlplane.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;

/**
 * Applies a partial desired state onto the current one, like {@code kubectl apply}: identity
 * providers and integrations are added or replaced by name; the routes of every integration the
 * document names are replaced by the document's routes for it; other entries stay as they are.
 */
final class StateMerge {
  private StateMerge() {}

  /** Returns {@code current} with {@code document} applied; neither argument is changed. */
  static ObjectNode apply(ObjectNode current, ObjectNode document) {
    ObjectNode merged = current.deepCopy();
    upsert(merged, document, "identityProviders", "name");
    upsert(merged, document, "integrations", "name");

    Set<String> integrations = new HashSet<>();
    document.path("integrations").forEach(i -> integrations.add(i.path("name").asText()));
    Set<String> routeIds = new HashSet<>();
    document.path("routes").forEach(r -> routeIds.add(r.path("id").asText()));
    ArrayNode routes = merged.arrayNode();
    merged.path("routes").forEach(r -> {
      if (!integrations.contains(r.path("integration").asText()) && !routeIds.contains(r.path("id").asText())) {
        routes.add(r);
      }
    });
    document.path("routes").forEach(routes::add);
    merged.set("routes", routes);

    if (document.has("telemetry")) {
      merged.set("telemetry", document.get("telemetry"));
    }
    return merged;
  }

  private static void upsert(ObjectNode merged, ObjectNode document, String field, String key) {
    JsonNode incoming = document.path(field);
    if (!incoming.isArray()) {
      return;
    }
    Set<String> names = new HashSet<>();
    incoming.forEach(e -> names.add(e.path(key).asText()));
    ArrayNode result = merged.arrayNode();
    merged.path(field).forEach(e -> {
      if (!names.contains(e.path(key).asText())) {
        result.add(e);
      }
    });
    incoming.forEach(result::add);
    merged.set(field, result);
  }
}
