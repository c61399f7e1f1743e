package dev.outpost.agent.targets;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Whether a live object still holds everything the agent asked for, ignoring what the API server
 * added (defaults, status, metadata): every field set in {@code desired} must be present and equal
 * in {@code live}, recursively; lists must have the same length and match element by element.
 * Kubernetes' {@code equality.Semantic.DeepDerivative} follows the same rule.
 */
public final class DeepDerivative {
  private DeepDerivative() {}

  public static boolean holds(JsonNode desired, JsonNode live) {
    if (desired == null || desired.isNull() || desired.isMissingNode()) {
      return true;
    }
    if (live == null || live.isNull() || live.isMissingNode()) {
      return isEmpty(desired);
    }
    if (desired.isObject()) {
      if (!live.isObject()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!holds(field.getValue(), live.get(field.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (desired.isArray()) {
      if (!live.isArray() || live.size() != desired.size()) {
        return isEmpty(desired) && (live.isArray() && live.isEmpty());
      }
      for (int i = 0; i < desired.size(); i++) {
        if (!holds(desired.get(i), live.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (desired.isNumber() && live.isNumber()) {
      return desired.decimalValue().compareTo(live.decimalValue()) == 0;
    }
    return desired.equals(live);
  }

  /** An empty map or list asks for nothing the server could have dropped. */
  private static boolean isEmpty(JsonNode node) {
    return (node.isObject() || node.isArray()) && node.isEmpty();
  }
}
