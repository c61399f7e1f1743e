package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Optional;

/**
 * Which agent writes a namespace: its data plane's id, and the agent's name, the name of its Lease,
 * which the chart derives from the release (one per release, whether or not its replicas elect a
 * leader). Both are recorded on Secret {@code outpost-agent-applied} with each applied snapshot.
 *
 * <p>Helm refuses a second release with an agent in a namespace, but Argo CD applies one (it renders
 * with {@code helm template}), and that release's claim replaces the first's: each agent then pruned
 * the other's integrations. An agent that finds the Secret saved by another release's agent of
 * another data plane writes nothing there. Another data plane of the same agent is this release
 * registered anew at the control plane (its revisions start again): it writes as before, and so does
 * an agent that finds a Secret whose agent is not recorded (saved by an earlier version).
 *
 * @param dataPlane this data plane's id
 * @param agent this agent's name ({@code outpost.agent.leader-election.lease-name})
 */
public record AgentIdentity(String dataPlane, String agent) {
  public static final String DATA_PLANE_ANNOTATION = "outpost.dev/data-plane";
  public static final String AGENT_ANNOTATION = "outpost.dev/agent";
  /** The name of an agent whose Lease is not named otherwise (installs without the chart). */
  public static final String DEFAULT_AGENT = "outpost-agent";

  /** The annotations that record this agent on what it saves. */
  public Map<String, String> annotations() {
    return Map.of(DATA_PLANE_ANNOTATION, dataPlane, AGENT_ANNOTATION, agent);
  }

  /** The other release's agent {@code annotations} record, as "agent A of data plane D"; empty when none. */
  public Optional<String> otherIn(Map<String, String> annotations) {
    String otherDataPlane = annotations == null ? null : annotations.get(DATA_PLANE_ANNOTATION);
    String otherAgent = annotations == null ? null : annotations.get(AGENT_ANNOTATION);
    if (otherDataPlane == null || otherAgent == null || otherDataPlane.equals(dataPlane) || otherAgent.equals(agent)) {
      return Optional.empty();
    }
    return Optional.of("agent " + otherAgent + " of data plane " + otherDataPlane);
  }

  /**
   * Throws, saying why nothing is written, when Secret {@code outpost-agent-applied} of {@code
   * namespace} was saved by another release's agent (one GET).
   */
  void requireSoleAgent(KubernetesClient client, String namespace) throws TargetException {
    Secret applied;
    try {
      applied = client.secrets().inNamespace(namespace).withName(KubernetesNames.APPLIED_SECRET).get();
    } catch (KubernetesClientException e) {
      throw new TargetException("cannot read Secret " + KubernetesNames.APPLIED_SECRET + ": " + ObjectApplier.reason(e), e);
    }
    Optional<String> other = applied == null ? Optional.empty() : otherIn(applied.getMetadata().getAnnotations());
    if (other.isPresent()) {
      throw new TargetException(secondRelease(other.get()));
    }
  }

  /** Why nothing is written beside {@code other}, the agent of another release. */
  public static String secondRelease(String other) {
    return "Secret " + KubernetesNames.APPLIED_SECRET + " is kept by " + other + ", another Outpost release in this"
        + " namespace: nothing is written here, as each agent would prune the other's integrations (one release per"
        + " namespace)";
  }
}
