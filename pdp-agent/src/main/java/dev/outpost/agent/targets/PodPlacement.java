package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * Where and how integration pods are scheduled, as the platform team sets it in the chart
 * ({@code integrationRuntime.nodeSelector}, {@code tolerations}, {@code affinity},
 * {@code priorityClassName}, {@code podAnnotations}); never from the control plane.
 *
 * @param nodeSelector node labels the pods must run on; empty for any node
 * @param tolerations taints the pods tolerate
 * @param affinity node and pod affinity; null for none
 * @param priorityClassName the pods' priority class; empty for the cluster's default
 * @param podAnnotations extra annotations on the pods (the agent's own always win)
 */
public record PodPlacement(Map<String, String> nodeSelector, List<Toleration> tolerations, Affinity affinity,
    String priorityClassName, Map<String, String> podAnnotations) {

  public static final PodPlacement ANYWHERE = new PodPlacement(Map.of(), List.of(), null, "", Map.of());

  public PodPlacement {
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
    priorityClassName = priorityClassName == null ? "" : priorityClassName;
    podAnnotations = podAnnotations == null ? Map.of() : Map.copyOf(podAnnotations);
  }
}
