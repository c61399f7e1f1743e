package dev.outpost.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.TestStates;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesStatusSourceTest {
  static final String NS = "outpost";
  KubernetesClient client;

  @Test
  void derivesPhasesFromDeploymentStatus() throws Exception {
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    for (String name : List.of("ready", "rolling", "stuck", "old-pods-ready")) {
      target.putIntegration(TestStates.integration(name, "v3"));
    }
    var deployments = client.apps().deployments().inNamespace(NS);
    deployments.withName("int-ready").editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
      d.getStatus().setReadyReplicas(1);
      d.getStatus().setUpdatedReplicas(1);
      d.getStatus().setReplicas(1);
      d.getStatus().setObservedGeneration(d.getMetadata().getGeneration());
      return d;
    });
    // a rollout: the old version's pod is ready and kept (maxUnavailable 0), the new one is not ready
    deployments.withName("int-old-pods-ready").editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
      d.getStatus().setReadyReplicas(1);
      d.getStatus().setUpdatedReplicas(1);
      d.getStatus().setReplicas(2);
      d.getStatus().setObservedGeneration(d.getMetadata().getGeneration());
      return d;
    });
    deployments.withName("int-stuck").editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
      d.getStatus().setConditions(List.of(new DeploymentConditionBuilder().withType("Progressing")
          .withStatus("False").withReason("ProgressDeadlineExceeded").build()));
      return d;
    });

    KubernetesStatusSource source = new KubernetesStatusSource(client, NS, Optional.empty());
    assertThat(source.integrations()).containsExactlyInAnyOrder(
        new ObservedIntegration("ready", "v3", "Ready", 1, 1),
        new ObservedIntegration("rolling", "v3", "Deploying", 0, 1),
        new ObservedIntegration("stuck", "v3", "Failed", 0, 1),
        new ObservedIntegration("old-pods-ready", "v3", "Deploying", 1, 1));
    assertThat(source.routes()).isEqualTo(RoutesStatus.UNKNOWN);
  }
}
