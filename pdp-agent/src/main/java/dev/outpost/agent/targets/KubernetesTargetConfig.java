package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the Kubernetes target needs to know about the cluster and the runtime pods it creates.
 *
 * @param namespace the agent's own namespace: it never writes anywhere else
 * @param runtimeImage the integration-runtime image each integration Deployment runs
 * @param imagePullPolicy {@code IfNotPresent}, {@code Always} or {@code Never}
 * @param imagePullSecrets pull secrets for the runtime image; empty for none
 * @param defaultResources resources of an integration whose spec gives none; may be empty
 * @param podSecurityContext the pods' security context; empty for the restricted default
 * @param containerSecurityContext the container's; empty for the restricted default
 * @param podLabels extra labels on the pods (the agent's own labels always win)
 * @param integrationsDir where the runtime container reads integration documents
 * @param secretsDir under which referenced Secrets are mounted, one directory per Secret
 * @param otlpEndpoint where the runtime sends its telemetry; empty to leave it unset
 * @param reservedSecrets Secrets no integration may declare (mounted, they would hand it the data
 *     plane's credentials): the chart's control-plane Secret, whatever it is named
 * @param placement where the pods are scheduled, and their extra annotations
 */
public record KubernetesTargetConfig(
    String namespace,
    String runtimeImage,
    String imagePullPolicy,
    List<LocalObjectReference> imagePullSecrets,
    ResourceRequirements defaultResources,
    Optional<PodSecurityContext> podSecurityContext,
    Optional<SecurityContext> containerSecurityContext,
    Map<String, String> podLabels,
    String integrationsDir,
    String secretsDir,
    Optional<String> otlpEndpoint,
    Set<String> reservedSecrets,
    PodPlacement placement) {

  public static final String DEFAULT_INTEGRATIONS_DIR = "/etc/outpost/integrations";
  public static final String DEFAULT_SECRETS_DIR = "/etc/outpost/secrets";

  public KubernetesTargetConfig {
    imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
    defaultResources = defaultResources == null ? new ResourceRequirements() : defaultResources;
    podLabels = podLabels == null ? Map.of() : Map.copyOf(podLabels);
    reservedSecrets = reservedSecrets == null ? Set.of() : Set.copyOf(reservedSecrets);
    placement = placement == null ? PodPlacement.ANYWHERE : placement;
  }

  public KubernetesTargetConfig withReservedSecrets(Collection<String> names) {
    return new KubernetesTargetConfig(namespace, runtimeImage, imagePullPolicy, imagePullSecrets, defaultResources,
        podSecurityContext, containerSecurityContext, podLabels, integrationsDir, secretsDir, otlpEndpoint,
        Set.copyOf(names), placement);
  }

  /** The defaults: restricted security contexts, no pull secrets, no default resources. */
  public static KubernetesTargetConfig of(String namespace, String runtimeImage, String imagePullPolicy) {
    return new KubernetesTargetConfig(namespace, runtimeImage, imagePullPolicy, List.of(), null, Optional.empty(),
        Optional.empty(), Map.of(), DEFAULT_INTEGRATIONS_DIR, DEFAULT_SECRETS_DIR, Optional.empty(), Set.of(),
        PodPlacement.ANYWHERE);
  }
}
