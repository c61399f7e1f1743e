package dev.outpost.agent;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.util.Map;

/** Integration pods as the kubelet reports them, built in code. */
public final class TestPods {
  private TestPods() {}

  public static Pod pod(String name, String created, ContainerStatus container) {
    return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created)
        .withLabels(Map.of("outpost.dev/integration", "a")).endMetadata()
        .withNewStatus().withPhase("Pending")
        .withConditions(condition("PodScheduled", "True", null, null), condition("Ready", "False", "ContainersNotReady", null))
        .withContainerStatuses(container).endStatus()
        .build();
  }

  public static Pod readyPod(String name, String created) {
    return new PodBuilder(pod(name, created, running())).editStatus().withPhase("Running")
        .withConditions(condition("PodScheduled", "True", null, null), condition("Ready", "True", null, null)).endStatus()
        .build();
  }

  public static ContainerStatus waiting(String reason, String message) {
    return new ContainerStatusBuilder().withName("integration")
        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build();
  }

  public static ContainerStatus running() {
    return new ContainerStatusBuilder().withName("integration")
        .withNewState().withNewRunning().withStartedAt("2026-12-05T08:00:01Z").endRunning().endState().build();
  }

  public static PodCondition condition(String type, String status, String reason, String message) {
    return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message).build();
  }
}
