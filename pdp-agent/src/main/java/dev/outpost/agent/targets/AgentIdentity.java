package dev.outpost.agent.targets;

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
 * another data plane writes nothing there while that agent is alive ({@link NamespaceHold}). Another
 * data plane of the same agent is this release registered anew at the control plane (its revisions
 * start again): it writes as before, and so does an agent that finds a Secret whose agent is not
 * recorded (saved by an earlier version, or its annotations removed), each once it has recorded itself
 * there: of two agents that find such a Secret, only the first to record itself writes.
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

  /** The name of the other release's agent {@code annotations} record; empty when none. */
  public Optional<String> otherIn(Map<String, String> annotations) {
    String otherDataPlane = annotations == null ? null : annotations.get(DATA_PLANE_ANNOTATION);
    String otherAgent = annotations == null ? null : annotations.get(AGENT_ANNOTATION);
    if (otherDataPlane == null || otherAgent == null || otherDataPlane.equals(dataPlane) || otherAgent.equals(agent)) {
      return Optional.empty();
    }
    return Optional.of(otherAgent);
  }

  /** Whether {@code annotations} record this very agent, of this data plane. */
  boolean recordedIn(Map<String, String> annotations) {
    return annotations != null && dataPlane.equals(annotations.get(DATA_PLANE_ANNOTATION))
        && agent.equals(annotations.get(AGENT_ANNOTATION));
  }
}
