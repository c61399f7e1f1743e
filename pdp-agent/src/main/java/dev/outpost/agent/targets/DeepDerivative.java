package dev.outpost.agent.targets;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a live object still holds everything the agent asked for, ignoring what the API server
 * added (defaults, status, metadata): every field set in {@code desired} must be present and equal
 * in {@code live}, recursively (a pod's {@code hostNetwork}, {@code hostPID} and {@code hostIPC} may be
 * absent when false: the server leaves those out); lists must have the same length and match element
 * by element. Fields that would expose an integration past the gateway or raise its privileges
 * ({@link #UNASKED}) must not be present in {@code live} unless asked for, though nothing asked for them.
 * Kubernetes' {@code equality.Semantic.DeepDerivative} follows the same rule, but for those. Resource quantities
 * (under {@code requests} and {@code limits}) compare by amount: the server stores {@code 0.5} as
 * {@code 500m}, and read as text that was a difference on every reconcile.
 */
public final class DeepDerivative {
  /**
   * A pod's plain booleans, which the API server leaves out when false. Not the optional ones
   * ({@code automountServiceAccountToken}, {@code enableServiceLinks}, {@code allowPrivilegeEscalation}):
   * the server keeps their false, and their absence means true, so an absent one is a change to put back.
   */
  private static final Set<String> OMITTED_WHEN_FALSE = Set.of("hostNetwork", "hostPID", "hostIPC");

  /**
   * Fields the agent never writes whose presence, added by someone else, changes what the integration
   * is: a Service's {@code externalIPs} and a container port's {@code hostPort} make it reachable on
   * a node's address past the gateway, its authentication and identity headers; {@code initContainers}
   * and {@code ephemeralContainers} run other images beside it, with its Secrets mounted; a container's
   * {@code privileged} and {@code capabilities.add} raise what it may do on the node. The serialized
   * desired object has no such field to compare with, so their presence alone is drift ({@code false}
   * and empty lists are not).
   */
  private static final Set<String> UNASKED = Set.of("externalIPs", "hostPort", "initContainers", "ephemeralContainers",
      "privileged", "add");

  private DeepDerivative() {}

  public static boolean holds(JsonNode desired, JsonNode live) {
    return difference(desired, live).isEmpty();
  }

  /**
   * Where {@code live} first fails to hold {@code desired}: the field's path
   * ({@code spec.template.spec.containers[0].image}), never its value, which may be an
   * integration's config; empty when it holds.
   */
  public static Optional<String> difference(JsonNode desired, JsonNode live) {
    return Optional.ofNullable(difference(desired, live, false, ""));
  }

  /** The path of the first difference under {@code path}, or null. */
  private static String difference(JsonNode desired, JsonNode live, boolean quantities, String path) {
    if (desired == null || desired.isNull() || desired.isMissingNode()) {
      return null;
    }
    if (live == null || live.isNull() || live.isMissingNode()) {
      return isEmpty(desired) ? null : orRoot(path);
    }
    if (desired.isObject()) {
      if (!live.isObject()) {
        return orRoot(path);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (OMITTED_WHEN_FALSE.contains(field.getKey()) && isFalse(field.getValue()) && !live.has(field.getKey())) {
          continue; // the server stores this false as no field at all
        }
        boolean quantity = quantities || field.getKey().equals("requests") || field.getKey().equals("limits");
        String found = difference(field.getValue(), live.get(field.getKey()), quantity, child(path, field.getKey()));
        if (found != null) {
          return found;
        }
      }
      for (String unasked : UNASKED) {
        JsonNode added = live.get(unasked);
        if (!desired.has(unasked) && added != null && !added.isNull() && !isEmpty(added) && !isFalse(added)) {
          return child(path, unasked);
        }
      }
      return null;
    }
    if (desired.isArray()) {
      if (!live.isArray() || live.size() != desired.size()) {
        return isEmpty(desired) && live.isArray() && live.isEmpty() ? null : orRoot(path);
      }
      for (int i = 0; i < desired.size(); i++) {
        String found = difference(desired.get(i), live.get(i), quantities, path + "[" + i + "]");
        if (found != null) {
          return found;
        }
      }
      return null;
    }
    return sameValue(desired, live, quantities) ? null : orRoot(path);
  }

  private static boolean sameValue(JsonNode desired, JsonNode live, boolean quantities) {
    if (desired.isNumber() && live.isNumber()) {
      return desired.decimalValue().compareTo(live.decimalValue()) == 0;
    }
    if (quantities && desired.isTextual() && live.isTextual() && !desired.equals(live)) {
      return sameQuantity(desired.asText(), live.asText());
    }
    return desired.equals(live);
  }

  private static String child(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String orRoot(String path) {
    return path.isEmpty() ? "(the whole object)" : path;
  }

  private static boolean sameQuantity(String desired, String live) {
    try {
      return Quantity.getAmountInBytes(new Quantity(desired)).compareTo(Quantity.getAmountInBytes(new Quantity(live))) == 0;
    } catch (RuntimeException notQuantities) {
      return false;
    }
  }

  /** {@code false} is a boolean's zero value, which the API server leaves out as unset. */
  private static boolean isFalse(JsonNode node) {
    return node.isBoolean() && !node.booleanValue();
  }

  /**
   * An empty map, list or string asks for nothing the server could have dropped: Kubernetes leaves
   * out an empty string ({@code omitempty}), such as a chart toleration's {@code value: ""}.
   */
  private static boolean isEmpty(JsonNode node) {
    return (node.isObject() || node.isArray()) && node.isEmpty() || node.isTextual() && node.asText().isEmpty();
  }
}
