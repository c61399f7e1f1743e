package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The Deployments a HorizontalPodAutoscaler of the namespace scales: their replica count is the
 * autoscaler's, as with the operator's {@code outpost.dev/replicas: external}, which a Deployment
 * deleted by hand and created again no longer had (the agent and the autoscaler then fought over
 * the count). One list call a pass; when it fails (a Role without it, the API server away), the
 * last answer stands.
 */
final class AutoscaledDeployments {
  private static final Logger LOG = Logger.getLogger(AutoscaledDeployments.class);

  private final KubernetesClient client;
  private final String namespace;
  private Set<String> names = Set.of();
  private boolean failureLogged;

  AutoscaledDeployments(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Lists the autoscalers again; the names of the Deployments they scale. */
  Set<String> refresh() {
    try {
      names = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).list().getItems().stream()
          .map(HorizontalPodAutoscaler::getSpec)
          .filter(spec -> spec != null && spec.getScaleTargetRef() != null
              && "Deployment".equals(spec.getScaleTargetRef().getKind()))
          .map(spec -> spec.getScaleTargetRef().getName())
          .collect(Collectors.toUnmodifiableSet());
      failureLogged = false;
    } catch (KubernetesClientException e) {
      if (!failureLogged) {
        failureLogged = true;
        LOG.warnf("cannot list the HorizontalPodAutoscalers in %s (%d); the replicas they set are kept only on"
            + " Deployments annotated %s: external", namespace, e.getCode(), ObjectApplier.EXTERNAL_REPLICAS);
      }
    }
    return names;
  }
}
