package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Resources;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An integration's resources are laid over the chart's defaults field by field: a spec setting only
 * its CPU request, or {@code resources: {}}, replaced them all, and the pod ran with no memory request
 * or limit (BestEffort), its JVM sizing its heap from the node's memory.
 */
@EnableKubernetesMockClient(crud = true)
class IntegrationResourcesTest {
  KubernetesClient client;

  private final ResourceRequirements defaults = new ResourceRequirementsBuilder()
      .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("256Mi"))
      .addToLimits("memory", new Quantity("512Mi")).build();

  @Test
  void anEmptySpecKeepsEveryDefault() {
    ResourceRequirements r = IntegrationObjects.resources(defaults, new Resources(null, null, null, null));
    assertThat(r.getRequests()).containsEntry("cpu", new Quantity("100m")).containsEntry("memory", new Quantity("256Mi"));
    assertThat(r.getLimits()).containsEntry("memory", new Quantity("512Mi"));
  }

  @Test
  void aSpecSettingOneFieldKeepsTheOthers() {
    ResourceRequirements r = IntegrationObjects.resources(defaults, new Resources("50m", null, "1", "1Gi"));
    assertThat(r.getRequests()).containsEntry("cpu", new Quantity("50m")).containsEntry("memory", new Quantity("256Mi"));
    assertThat(r.getLimits()).containsEntry("cpu", new Quantity("1")).containsEntry("memory", new Quantity("1Gi"));
  }

  @Test
  void noSpecIsTheDefaults() {
    assertThat(IntegrationObjects.resources(defaults, null)).isEqualTo(defaults);
  }

  /**
   * What the integration sets wins over the chart's defaults, and a default that would contradict it
   * gives way: with the chart's 256Mi request and 512Mi limit, an integration asking only for a 1Gi
   * request (or only a 128Mi limit) got a Deployment the API server refused with 422 (request over
   * limit), and the whole revision failed.
   */
  @Test
  void aDefaultThatContradictsWhatTheIntegrationSetsGivesWay(@TempDir Path dir) throws Exception {
    Path template = dir.resolve("runtime.json");
    Files.writeString(template, """
        {"resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}}""");
    KubernetesTarget target = new KubernetesTarget(client, RuntimeTemplate.read(template, KubernetesTargetTest.config()));

    target.putIntegration(withResources("big", new Resources(null, "1Gi", null, null)));
    target.putIntegration(withResources("small", new Resources(null, null, "50m", "128Mi")));
    target.putIntegration(withResources("plain", new Resources(null, null, null, null)));

    ResourceRequirements big = written("big");
    assertThat(big.getRequests()).containsEntry("memory", new Quantity("1Gi")).containsEntry("cpu", new Quantity("100m"));
    assertThat(big.getLimits()).as("the default limit is raised to the request").containsEntry("memory", new Quantity("1Gi"))
        .containsEntry("cpu", new Quantity("1"));
    ResourceRequirements small = written("small");
    assertThat(small.getLimits()).containsEntry("memory", new Quantity("128Mi")).containsEntry("cpu", new Quantity("50m"));
    assertThat(small.getRequests()).as("the default request is lowered to the limit")
        .containsEntry("memory", new Quantity("128Mi")).containsEntry("cpu", new Quantity("50m"));
    ResourceRequirements plain = written("plain");
    assertThat(plain.getRequests()).containsEntry("memory", new Quantity("256Mi")).containsEntry("cpu", new Quantity("100m"));
    assertThat(plain.getLimits()).containsEntry("memory", new Quantity("512Mi")).containsEntry("cpu", new Quantity("1"));
  }

  private static Integration withResources(String name, Resources resources) {
    return new Integration(name, "shop", "v1", "- from:\n    uri: platform-http:/" + name + "\n", Map.of(), List.of(), 1,
        resources);
  }

  private ResourceRequirements written(String integration) {
    return client.apps().deployments().inNamespace(KubernetesTargetTest.NS).withName("int-" + integration).get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getResources();
  }
}
