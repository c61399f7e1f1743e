package dev.outpost.agent.targets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the runtime template the Helm chart mounts ({@code runtime.json}: image, imagePullPolicy,
 * imagePullSecrets, resources, podSecurityContext, containerSecurityContext, podLabels,
 * secretsMountPath, otlpEndpoint, nodeSelector, tolerations, affinity, priorityClassName, podAnnotations) into a {@link KubernetesTargetConfig}. Absent keys keep the
 * defaults; a key of the wrong shape, or one not listed here, fails the start with its name: a
 * misspelt key would otherwise be dropped and its setting silently lost.
 */
public final class RuntimeTemplate {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> KEYS = Set.of("image", "imagePullPolicy", "imagePullSecrets", "resources",
      "podSecurityContext", "containerSecurityContext", "podLabels", "secretsMountPath", "otlpEndpoint",
      "nodeSelector", "tolerations", "affinity", "priorityClassName", "podAnnotations");

  private RuntimeTemplate() {}

  public static KubernetesTargetConfig read(Path file, KubernetesTargetConfig defaults) throws IOException {
    JsonNode t = JSON.readTree(Files.readString(file));
    if (t == null || !t.isObject()) {
      throw new IllegalArgumentException(file + ": a JSON object is expected");
    }
    List<String> unknown = new ArrayList<>();
    t.fieldNames().forEachRemaining(k -> {
      if (!KEYS.contains(k)) {
        unknown.add(k);
      }
    });
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(file + ": unknown keys " + unknown + " (known: " + new TreeSet<>(KEYS) + ")");
    }
    KubernetesSerialization kube = new KubernetesSerialization();
    List<LocalObjectReference> pullSecrets = new ArrayList<>();
    t.path("imagePullSecrets").forEach(s -> pullSecrets.add(new LocalObjectReference(s.isTextual() ? s.asText()
        : s.path("name").asText())));
    Map<String, String> podLabels = strings(t, "podLabels");
    try {
      PodPlacement placement = new PodPlacement(strings(t, "nodeSelector"),
          t.hasNonNull("tolerations") ? List.of(kube.convertValue(t.get("tolerations"), Toleration[].class)) : List.of(),
          t.has("affinity") && !t.get("affinity").isEmpty() ? kube.convertValue(t.get("affinity"), Affinity.class) : null,
          text(t, "priorityClassName").orElse(""), strings(t, "podAnnotations"));
      return new KubernetesTargetConfig(
          defaults.namespace(),
          text(t, "image").orElse(defaults.runtimeImage()),
          text(t, "imagePullPolicy").orElse(defaults.imagePullPolicy()),
          pullSecrets.isEmpty() ? defaults.imagePullSecrets() : pullSecrets,
          t.has("resources") ? kube.convertValue(t.get("resources"), ResourceRequirements.class) : defaults.defaultResources(),
          t.has("podSecurityContext") ? Optional.of(kube.convertValue(t.get("podSecurityContext"), PodSecurityContext.class))
              : defaults.podSecurityContext(),
          t.has("containerSecurityContext")
              ? Optional.of(kube.convertValue(t.get("containerSecurityContext"), SecurityContext.class))
              : defaults.containerSecurityContext(),
          podLabels.isEmpty() ? defaults.podLabels() : podLabels,
          defaults.integrationsDir(),
          text(t, "secretsMountPath").orElse(defaults.secretsDir()),
          text(t, "otlpEndpoint").or(defaults::otlpEndpoint),
          defaults.reservedSecrets(),
          placement);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> strings(JsonNode node, String key) {
    Map<String, String> values = new LinkedHashMap<>();
    node.path(key).fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
    return values;
  }

  private static Optional<String> text(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value == null || !value.isTextual() || value.asText().isEmpty() ? Optional.empty() : Optional.of(value.asText());
  }
}
