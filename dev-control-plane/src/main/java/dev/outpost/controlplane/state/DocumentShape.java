package dev.outpost.controlplane.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.spec.json.Quoted;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.state.StateValidator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The fields a partial document may have, and their shapes, checked before it is merged: a merge
 * takes only the fields it knows, so a misspelt one ({@code integration:}) or a list written as a
 * map was ignored, and the request succeeded having done nothing, or having removed routes.
 */
final class DocumentShape {
  /** What {@code POST /v1/apply} takes: a state's fields (its revision and data plane are the store's). */
  static final Set<String> APPLY = Set.of("apiVersion", "revision", "dataPlane", "identityProviders", "integrations",
      "routes", "telemetry");
  private static final List<String> LISTS = List.of("identityProviders", "integrations", "routes");
  /** What {@code PUT /v1/integrations/{name}} takes (a revision: the state's it was read at). */
  static final Set<String> INTEGRATION = Set.of("integration", "revision", "routes");

  private DocumentShape() {}

  /** The first problem of an apply document, naming its field; empty when it may be merged. */
  static Optional<String> ofApply(ObjectNode document) {
    Optional<String> unknown = unknownField(document, APPLY);
    if (unknown.isPresent()) {
      return unknown;
    }
    JsonNode apiVersion = document.get("apiVersion");
    if (apiVersion != null && !DataPlaneState.API_VERSION.equals(apiVersion.asText(null))) {
      return Optional.of("apiVersion: must be " + DataPlaneState.API_VERSION);
    }
    for (String list : LISTS) {
      JsonNode value = document.get(list);
      if (value != null && !value.isArray()) {
        return Optional.of(list + ": a list is expected");
      }
    }
    JsonNode telemetry = document.get("telemetry");
    if (telemetry != null && !telemetry.isObject()) {
      return Optional.of("telemetry: an object is expected");
    }
    return Optional.empty();
  }

  /**
   * The first problem of a document for the integration named {@code name} in the path, the path's
   * first (the document's name must equal it); empty when it may be merged.
   */
  static Optional<String> ofIntegration(String name, ObjectNode document) {
    Integration named = new Integration(name, null, null, null, null, null, Integration.DEFAULT_REPLICAS, null);
    return StateValidator.validate(named).stream().filter(v -> v.path().equals("name")).findFirst()
        .map(v -> "path: the name " + Quoted.of(name) + " " + v.message())
        .or(() -> unknownField(document, INTEGRATION));
  }

  private static Optional<String> unknownField(ObjectNode document, Set<String> known) {
    for (Iterator<String> names = document.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        return Optional.of(name + ": unknown field (expected " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
    return Optional.empty();
  }
}
