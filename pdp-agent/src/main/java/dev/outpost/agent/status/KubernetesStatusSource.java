package dev.outpost.agent.status;

import dev.outpost.agent.targets.IntegrationObjects;
import dev.outpost.agent.targets.KubernetesNames;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Status from the integration Deployments the agent manages: ready against desired replicas once
 * every pod is of the current template (old pods of a rollout count as Deploying), and
 * {@code Failed} when Kubernetes gave up progressing, or when a rolled-out integration has served
 * from no pod for its progress deadline ({@link ServingOutages}); beside any other phase than {@code Ready},
 * why its pods do not serve ({@link NotReadyReason}), read from its pods and their volume
 * warnings. The gateway's route count comes from its management endpoint when configured.
 */
public final class KubernetesStatusSource implements StatusSource {
  private static final Logger LOG = Logger.getLogger(KubernetesStatusSource.class);

  private final KubernetesClient client;
  private final String namespace;
  private final GatewayRoutesReader gateway;
  private final ServingOutages outages;

  public KubernetesStatusSource(KubernetesClient client, String namespace, Optional<URI> gatewayRoutes) {
    this(client, namespace, gatewayRoutes, System::nanoTime);
  }

  /** @param nanoTime this agent's monotonic clock, which times how long an integration has not served */
  KubernetesStatusSource(KubernetesClient client, String namespace, Optional<URI> gatewayRoutes, LongSupplier nanoTime) {
    this.client = client;
    this.namespace = namespace;
    this.gateway = new GatewayRoutesReader(gatewayRoutes);
    this.outages = new ServingOutages(nanoTime);
  }

  @Override
  public IntegrationsSeen integrations() {
    List<Deployment> deployments;
    try {
      deployments = client.apps().deployments().inNamespace(namespace)
          .withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)
          .withLabel(KubernetesNames.INTEGRATION_LABEL).list().getItems();
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot list Deployments: %s", e.getMessage());
      // unknown, not gone: the pods may serve on; the API server's status code says why, its text is not needed
      return IntegrationsSeen.unreadable(ObservedIntegration.PENDING, e.getCode() > 0
          ? "status unknown: the agent cannot list Deployments (the API server answered " + e.getCode() + ")"
          : "status unknown: the agent cannot reach the API server");
    }
    Map<String, Duration> outOfService = outages.observe(deployments);
    List<ObservedIntegration> observed = deployments.stream().map(d -> status(d, outOfService)).toList();
    // pods (and their volume warnings) are read only while an integration does not serve; what
    // cannot be read leaves the reason out, never the phase the Deployment gives
    Map<String, List<Pod>> pods = observed.stream().anyMatch(o -> !ObservedIntegration.READY.equals(o.phase()))
        ? podsByIntegration() : Map.of();
    VolumeWarnings warnings = new VolumeWarnings();
    List<ObservedIntegration> result = new ArrayList<>(observed.size());
    for (int i = 0; i < deployments.size(); i++) {
      ObservedIntegration o = observed.get(i);
      Deployment d = deployments.get(i);
      Optional<String> why = ObservedIntegration.READY.equals(o.phase()) ? Optional.empty()
          : NotReadyReason.of(d, pods.getOrDefault(o.name(), List.of()), warnings);
      if (why.isEmpty() && ObservedIntegration.FAILED.equals(o.phase())) {
        why = NotReadyReason.unavailable(d); // out of service with no pod that says why: the Deployment's words
      }
      result.add(ObservedIntegration.READY.equals(o.phase()) ? o : withMessage(o, why));
    }
    return IntegrationsSeen.of(result);
  }

  private static ObservedIntegration withMessage(ObservedIntegration o, Optional<String> message) {
    return new ObservedIntegration(o.name(), o.version(), o.phase(), o.readyReplicas(), o.desiredReplicas(),
        message.orElse(null));
  }

  private Map<String, List<Pod>> podsByIntegration() {
    try {
      return client.pods().inNamespace(namespace)
          .withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)
          .withLabel(KubernetesNames.INTEGRATION_LABEL).list().getItems().stream()
          .collect(Collectors.groupingBy(p -> p.getMetadata().getLabels().get(KubernetesNames.INTEGRATION_LABEL)));
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot list the integrations' pods: %s", e.getMessage());
      return Map.of();
    }
  }

  /** The namespace's volume warnings for pods, read once per status and only if a pod waits to start. */
  private final class VolumeWarnings implements Function<String, Optional<Event>> {
    private Map<String, Event> newestByPod;

    @Override
    public Optional<Event> apply(String pod) {
      if (newestByPod == null) {
        try {
          newestByPod = client.v1().events().inNamespace(namespace).list().getItems().stream()
              .filter(e -> e.getInvolvedObject() != null && "Pod".equals(e.getInvolvedObject().getKind())
                  && e.getInvolvedObject().getName() != null && NotReadyReason.VOLUME_EVENTS.contains(e.getReason()))
              .collect(Collectors.toMap(e -> e.getInvolvedObject().getName(), e -> e,
                  (a, b) -> lastSeen(a).compareTo(lastSeen(b)) >= 0 ? a : b));
        } catch (KubernetesClientException e) {
          LOG.debugf("cannot list the namespace's events: %s", e.getMessage());
          newestByPod = Map.of();
        }
      }
      return Optional.ofNullable(newestByPod.get(pod));
    }
  }

  /** RFC 3339 in UTC, so the text orders as the time; events carry one of these three. */
  private static String lastSeen(Event e) {
    for (String t : new String[] {e.getLastTimestamp(),
        e.getEventTime() == null ? null : e.getEventTime().getTime(), e.getMetadata().getCreationTimestamp()}) {
      if (t != null) {
        return t;
      }
    }
    return "";
  }

  /** @param outOfService how long each integration out of service has been so ({@link ServingOutages}) */
  static ObservedIntegration status(Deployment d, Map<String, Duration> outOfService) {
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
    Duration out = outOfService.get(name);
    String phase;
    // a completed rollout has no deadline of its own: its pods all down that long, it cannot run
    if (stalled || out != null && out.compareTo(ServingOutages.deadline(d)) >= 0) {
      phase = ObservedIntegration.FAILED;
    } else if (rolledOut && ready >= desired) {
      phase = ObservedIntegration.READY;
    } else if (rolledOut && ready > 0) {
      phase = ObservedIntegration.DEGRADED;
    } else {
      phase = ObservedIntegration.DEPLOYING;
    }
    return new ObservedIntegration(name, version, phase, ready, desired, null);
  }

  private static boolean progressDeadlineExceeded(DeploymentCondition c) {
    return "Progressing".equals(c.getType()) && "False".equals(c.getStatus())
        && "ProgressDeadlineExceeded".equals(c.getReason());
  }

  /** Outages are timed anew: this agent did not look while it was not applying. */
  @Override
  public void forgetTimings() {
    outages.forget();
  }

  @Override
  public RoutesStatus routes() {
    return gateway.read();
  }
}
