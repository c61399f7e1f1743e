package dev.outpost.agent.status;

import dev.outpost.agent.targets.IntegrationObjects;
import dev.outpost.agent.targets.KubernetesNames;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How long each rolled-out integration has served from no pod, its Deployment not Available, on
 * this agent's monotonic clock from the status that first saw it so. Kubernetes' progress deadline
 * runs only while a rollout does: once it is complete, Progressing stays NewReplicaSetAvailable
 * whatever befalls the pods (a crash loop, an image gone after a reschedule), and such an integration
 * was Deploying for ever. Not timed by the condition's {@code lastTransitionTime}, which another
 * node's clock wrote. Timed per Deployment, by its uid: one deleted and created again (kubectl delete
 * deploy, put back by the agent) is timed from when the new one is seen out of service, not from
 * the old one's outage.
 */
final class ServingOutages {
  /** The API server's default {@code progressDeadlineSeconds}, which the agent's Deployments keep. */
  static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(600);

  private final LongSupplier nanoTime;
  /** When each Deployment (by uid) out of service was first seen so; only those out at the last look. */
  private Map<String, Long> since = Map.of();

  ServingOutages(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * Looks at every Deployment of the integrations (all of them, so an integration no longer out, or
   * gone, is forgotten) and says, of those out of service, since how long, by integration name.
   */
  synchronized Map<String, Duration> observe(List<Deployment> deployments) {
    long now = nanoTime.getAsLong();
    Map<String, Long> seen = new HashMap<>();
    Map<String, Duration> outFor = new HashMap<>();
    for (Deployment d : deployments) {
      if (outOfService(d)) {
        String name = d.getMetadata().getLabels().get(KubernetesNames.INTEGRATION_LABEL);
        String uid = d.getMetadata().getUid() == null ? name : d.getMetadata().getUid();
        long first = since.getOrDefault(uid, now);
        seen.put(uid, first);
        outFor.put(name, Duration.ofNanos(now - first));
      }
    }
    since = seen;
    return outFor;
  }

  /** Forgets every outage seen: nothing was looked at since (this agent stopped applying, and starts again). */
  synchronized void forget() {
    since = Map.of();
  }

  /** How long the Deployment's integration may be out of service before it is Failed: its progress deadline. */
  static Duration deadline(Deployment d) {
    Integer seconds = d.getSpec().getProgressDeadlineSeconds();
    return seconds == null || seconds <= 0 ? DEFAULT_DEADLINE : Duration.ofSeconds(seconds);
  }

  /** Rolled out, asked for pods, none ready, and the Deployment controller says it is not Available. */
  private static boolean outOfService(Deployment d) {
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    var status = d.getStatus();
    int ready = status == null || status.getReadyReplicas() == null ? 0 : status.getReadyReplicas();
    return desired > 0 && ready == 0 && IntegrationObjects.rolledOut(d) && status.getConditions() != null
        && status.getConditions().stream().anyMatch(c -> "Available".equals(c.getType()) && "False".equals(c.getStatus()));
  }
}
