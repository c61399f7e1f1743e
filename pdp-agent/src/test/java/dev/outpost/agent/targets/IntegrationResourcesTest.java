package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.model.Resources;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;

/**
 * An integration's resources are laid over the chart's defaults field by field: a spec setting only
 * its CPU request, or {@code resources: {}}, replaced them all, and the pod ran with no memory request
 * or limit (BestEffort), its JVM sizing its heap from the node's memory.
 */
class IntegrationResourcesTest {

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
}
