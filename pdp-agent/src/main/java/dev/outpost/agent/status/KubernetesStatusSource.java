package dev.outpost.agent.status;

import dev.outpost.agent.targets.IntegrationObjects;
import dev.outpost.agent.targets.KubernetesNames;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Status from the integration Deployments the agent manages: ready against desired replicas once
 * every pod is of the current template (old pods of a rollout count as Deploying), and
 * {@code Failed} when Kubernetes gave up progressing. The gateway's route count comes from its
 * management endpoint when configured.
 */
public final class KubernetesStatusSource implements StatusSource {
  private static final Logger LOG = Logger.getLogger(KubernetesStatusSource.class);

  private final KubernetesClient client;
  private final String namespace;
  private final GatewayRoutesReader gateway;

  public KubernetesStatusSource(KubernetesClient client, String namespace, Optional<URI> gatewayRoutes) {
    this.client = client;
    this.namespace = namespace;
    this.gateway = new GatewayRoutesReader(gatewayRoutes);
  }

  @Override
  public List<ObservedIntegration> integrations() {
    List<ObservedIntegration> result = new ArrayList<>();
    try {
      for (Deployment d : client.apps().deployments().inNamespace(namespace)
          .withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)
          .withLabel(KubernetesNames.INTEGRATION_LABEL).list().getItems()) {
        result.add(status(d));
      }
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot list Deployments: %s", e.getMessage());
    }
    return result;
  }

  static ObservedIntegration status(Deployment d) {
    String name = d.getMetadata().getLabels().get(KubernetesNames.INTEGRATION_LABEL);
    var annotations = d.getMetadata().getAnnotations();
    String version = annotations == null ? "" : annotations.getOrDefault(IntegrationObjects.VERSION_ANNOTATION, "");
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    var status = d.getStatus();
    int ready = status == null || status.getReadyReplicas() == null ? 0 : status.getReadyReplicas();
    boolean stalled = status != null && status.getConditions() != null && status.getConditions().stream()
        .anyMatch(KubernetesStatusSource::progressDeadlineExceeded);
    // ready pods include the old version's while a rollout runs (maxUnavailable 0 keeps them): the
    // version is only running once every pod is of the current template, as kubectl rollout status has it
    boolean rolledOut = IntegrationObjects.rolledOut(d);
    String phase;
    if (stalled) {
      phase = ObservedIntegration.FAILED;
    } else if (rolledOut && ready >= desired) {
      phase = ObservedIntegration.READY;
    } else if (rolledOut && ready > 0) {
      phase = ObservedIntegration.DEGRADED;
    } else {
      phase = ObservedIntegration.DEPLOYING;
    }
    return new ObservedIntegration(name, version, phase, ready, desired);
  }

  private static boolean progressDeadlineExceeded(DeploymentCondition c) {
    return "Progressing".equals(c.getType()) && "False".equals(c.getStatus())
        && "ProgressDeadlineExceeded".equals(c.getReason());
  }

  @Override
  public RoutesStatus routes() {
    return gateway.read();
  }
}
