package dev.outpost.agent.targets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Create-or-update of one object with optimistic concurrency, the way that works on every API
 * server including fabric8's mock in CRUD mode (which has no server-side apply): read the live
 * object; create it if absent; update it with the live {@code resourceVersion} if it no longer
 * holds what is desired; start over on a 409 (someone else wrote in between).
 *
 * <p>An object with the same name that the agent did not create is never taken over, and one being
 * deleted is not written ({@link BeingDeleted}).
 */
public final class ObjectApplier {
  private static final Logger LOG = Logger.getLogger(ObjectApplier.class);
  /** Attempts before a conflicting write is reported as a failure. */
  public static final int MAX_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final DriftEvents driftEvents;
  /** Its updates, which the drift watch then tells from someone else's. */
  private final WrittenVersions written;
  /** Deployments whose replicas an autoscaler sets (AutoscaledDeployments); none by default. */
  private Set<String> autoscaled = Set.of();
  /** What every object written names as its owner (NamespaceClaim); none by default. */
  private Optional<OwnerReference> owner = Optional.empty();

  /** An applier whose updates no drift watch looks at (the applied snapshot's Secret, tests). */
  public ObjectApplier(KubernetesClient client) {
    this(client, new WrittenVersions());
  }

  /** @param written where its updates are recorded, for the drift watch that reads it */
  public ObjectApplier(KubernetesClient client, WrittenVersions written) {
    this.client = client;
    this.driftEvents = new DriftEvents(client);
    this.written = written;
  }

  /** The Deployments of these names keep the replica count they have: an autoscaler sets it. */
  public void autoscaled(Set<String> deployments) {
    this.autoscaled = Set.copyOf(deployments);
  }

  /** Objects created from now on name {@code owner} as their owner (none when empty). */
  public void ownedBy(Optional<OwnerReference> owner) {
    this.owner = owner;
  }

  /**
   * Makes the live object hold {@code desired}, reading it first.
   *
   * @return whether anything was written
   */
  public <T extends HasMetadata> boolean apply(T desired) throws TargetException {
    return apply(desired, false, null, null);
  }

  /** Why a live object must not be overwritten: the reason, or null when it may be. */
  @FunctionalInterface
  public interface Refusal<T> {
    Exception of(T live);
  }

  /**
   * Like {@link #apply(HasMetadata)}, unless {@code refusal} finds a reason in the live object, read
   * at the same attempt as the write that follows: the write carries that object's
   * {@code resourceVersion}, so nothing can change it in between unseen. The reason is thrown as the
   * cause of a {@link TargetException}.
   */
  public <T extends HasMetadata> boolean applyUnless(T desired, Refusal<T> refusal) throws TargetException {
    return apply(desired, false, null, refusal);
  }

  /**
   * Like {@link #apply(HasMetadata)}, trusting {@code live} (from a recent list; null when the list
   * did not have it) instead of reading the object: nothing is sent when it already holds what is
   * desired. A stale {@code live} costs one 409 and falls back to reading.
   */
  public <T extends HasMetadata> boolean applyKnown(T desired, T live) throws TargetException {
    return apply(desired, true, live, null);
  }

  private <T extends HasMetadata> boolean apply(T unstamped, boolean known, T knownLive, Refusal<T> refusal)
      throws TargetException {
    T desired = stamped(unstamped);
    String what = describe(desired);
    for (int attempt = 1; ; attempt++) {
      try {
        T live = known && attempt == 1 ? knownLive : client.resource(desired).get();
        if (live == null) {
          client.resource(NamespaceClaim.owned(desired, owner)).create();
          return true;
        }
        if (BeingDeleted.is(live)) {
          throw BeingDeleted.refusal(live);
        }
        NamespaceClaim.keepingOwners(desired, live);
        requireManaged(live, owner, what);
        Exception refused = refusal == null ? null : refusal.of(live);
        if (refused != null) {
          throw new TargetException("not writing " + what + ": " + refused.getMessage(), refused);
        }
        T wanted = withReplicasLeftTo(desired, live);
        Optional<String> difference = difference(wanted, live);
        if (difference.isEmpty()) {
          return false;
        }
        boolean correction = wroteBefore(desired, live);
        update(forUpdate(wanted, live), live, correction);
        if (correction) {
          LOG.infof("%s: put back %s, changed outside the agent", what, difference.get());
          driftEvents.corrected(live, difference.get());
        }
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= MAX_ATTEMPTS) {
          throw new TargetException("cannot write " + what + ": " + reason(e), e);
        }
      }
    }
  }

  /**
   * Updates {@code live} to {@code update}, recording the versions for the drift watch.
   *
   * @param correction whether it puts back someone else's change: only those count in a fight ({@link DriftFights})
   */
  private <T extends HasMetadata> void update(T update, T live, boolean correction) {
    written.updating(live, correction);
    try {
      written.updated(live, client.resource(update).update());
    } catch (KubernetesClientException e) {
      written.notUpdated(live);
      throw e;
    }
  }

  /**
   * Deletes an object the agent created; absent is fine, and so is one of that name the agent did
   * not create, which is left alone. Throwing there blocked the prune of every later snapshot: a
   * user's own {@code int-api} refused at the write made the agent's ConfigMap of the same
   * integration an orphan that could never be pruned. One already being deleted (a finalizer holds it)
   * is no change: each pass counted it as one for as long as it was held.
   *
   * @return whether it existed and was deleted
   */
  public <T extends HasMetadata> boolean delete(Class<T> type, String namespace, String name)
      throws TargetException {
    try {
      T live = client.resources(type).inNamespace(namespace).withName(name).get();
      if (live == null) {
        return false;
      }
      if (!isManaged(live, owner)) {
        LOG.warnf("%s %s is not the agent's (not labelled %s=%s): left as it is", type.getSimpleName(), name,
            KubernetesNames.MANAGED_BY, KubernetesNames.AGENT);
        return false;
      }
      if (BeingDeleted.is(live)) {
        return false;
      }
      return !client.resources(type).inNamespace(namespace).withName(name).delete().isEmpty();
    } catch (KubernetesClientException e) {
      throw new TargetException("cannot delete " + type.getSimpleName() + " " + name + ": " + reason(e), e);
    }
  }

  /** Where {@code live} no longer holds {@code desired}, if it does not. */
  private Optional<String> difference(HasMetadata desired, HasMetadata live) {
    JsonNode want = client.getKubernetesSerialization().convertValue(desired, JsonNode.class);
    JsonNode have = client.getKubernetesSerialization().convertValue(live, JsonNode.class);
    ((ObjectNode) want).remove("status");
    return DeepDerivative.difference(want, have);
  }

  /**
   * Whether {@code live} is what the agent last wrote for this very {@code desired} (same digest), so
   * that a difference is someone else's change, drift, and not a new desired state.
   */
  private static boolean wroteBefore(HasMetadata desired, HasMetadata live) {
    var annotations = live.getMetadata().getAnnotations();
    return annotations != null
        && desired.getMetadata().getAnnotations().get(DESIRED_DIGEST).equals(annotations.get(DESIRED_DIGEST));
  }

  /**
   * {@code desired} with the live replica count (and the operator's annotation), when the live
   * Deployment is annotated {@value #EXTERNAL_REPLICAS}{@code : external} or a HorizontalPodAutoscaler
   * scales it: an autoscaler sets its replicas, which the agent otherwise put back within a second of
   * every change (the drift watch), scaling the pods up and down. Every other field stays the agent's.
   * Not to or from 0: the state's 0 stops the integration.
   */
  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> T withReplicasLeftTo(T desired, T live) {
    if (!(desired instanceof Deployment && live instanceof Deployment liveDeployment)) {
      return desired;
    }
    var annotations = live.getMetadata().getAnnotations();
    boolean external = annotations != null && "external".equals(annotations.get(EXTERNAL_REPLICAS));
    if (!external && !autoscaled.contains(live.getMetadata().getName())) {
      return desired;
    }
    Deployment wanted = (Deployment) client.getKubernetesSerialization().clone(desired);
    Integer have = liveDeployment.getSpec().getReplicas();
    // the state's 0 stops the integration, and an autoscaler leaves a Deployment at 0 alone: from
    // 0, and to 0, the state's count is written
    if (wanted.getSpec().getReplicas() != null && wanted.getSpec().getReplicas() > 0 && have != null && have > 0) {
      wanted.getSpec().setReplicas(have);
    }
    if (external) {
      Map<String, String> kept = new LinkedHashMap<>(
          wanted.getMetadata().getAnnotations() == null ? Map.of() : wanted.getMetadata().getAnnotations());
      kept.put(EXTERNAL_REPLICAS, "external");
      wanted.getMetadata().setAnnotations(kept);
    }
    return (T) wanted;
  }

  /** The desired object at the live version, keeping what the API server owns. */
  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> T forUpdate(T desired, T live) {
    T update = (T) client.getKubernetesSerialization().clone(desired);
    update.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
    if (update instanceof Service service && live instanceof Service liveService) {
      // The cluster IP is allocated by the server and immutable.
      service.getSpec().setClusterIP(liveService.getSpec().getClusterIP());
      service.getSpec().setClusterIPs(liveService.getSpec().getClusterIPs());
    }
    if (update instanceof Deployment deployment && live instanceof Deployment liveDeployment) {
      keepRestart(deployment, liveDeployment);
    }
    return update;
  }

  /**
   * Annotation holding the SHA-256 of what the agent last wrote to an object. The drift check asks
   * only whether the live object still has every field desired, so a field the desired object no
   * longer has (a label, a resource limit or a security setting taken out of the chart's runtime
   * values) was never taken off the live one; with the digest, any change to what is desired is one.
   */
  public static final String DESIRED_DIGEST = "outpost.dev/desired-digest";

  /** {@code desired} with {@link #DESIRED_DIGEST} of itself. */
  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> T stamped(T desired) {
    T copy = (T) client.getKubernetesSerialization().clone(desired);
    Map<String, String> annotations = new LinkedHashMap<>(
        copy.getMetadata().getAnnotations() == null ? Map.of() : copy.getMetadata().getAnnotations());
    annotations.remove(DESIRED_DIGEST);
    copy.getMetadata().setAnnotations(annotations);
    annotations = new LinkedHashMap<>(annotations);
    annotations.put(DESIRED_DIGEST, DesiredDigest.of(client.getKubernetesSerialization().convertValue(copy, JsonNode.class)));
    copy.getMetadata().setAnnotations(annotations);
    return copy;
  }

  /** What {@code kubectl rollout restart} writes on a Deployment's pod template. */
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  /**
   * Keeps an operator's {@code kubectl rollout restart} on the pod template: the update replaces the
   * template with the agent's, and without it a change of replicas alone replaced every pod.
   */
  private static void keepRestart(Deployment update, Deployment live) {
    Map<String, String> liveAnnotations = live.getSpec() == null || live.getSpec().getTemplate() == null
        || live.getSpec().getTemplate().getMetadata() == null ? null
        : live.getSpec().getTemplate().getMetadata().getAnnotations();
    String restartedAt = liveAnnotations == null ? null : liveAnnotations.get(RESTARTED_AT);
    if (restartedAt == null || update.getSpec() == null || update.getSpec().getTemplate() == null
        || update.getSpec().getTemplate().getMetadata() == null) {
      return;
    }
    Map<String, String> annotations = new LinkedHashMap<>(update.getSpec().getTemplate().getMetadata().getAnnotations()
        == null ? Map.of() : update.getSpec().getTemplate().getMetadata().getAnnotations());
    annotations.putIfAbsent(RESTARTED_AT, restartedAt);
    update.getSpec().getTemplate().getMetadata().setAnnotations(annotations);
  }

  /** Annotation an operator puts on an integration's Deployment to leave its replicas to an autoscaler. */
  public static final String EXTERNAL_REPLICAS = "outpost.dev/replicas";

  /**
   * Whether the agent created {@code live}: labelled as the agent's, or, with its label changed or
   * taken off by hand (drift, put back by the write), naming {@code owner}, the namespace's claim,
   * as its owner, which only the agent's objects do.
   */
  static boolean isManaged(HasMetadata live, Optional<OwnerReference> owner) {
    var labels = live.getMetadata().getLabels();
    if (labels != null && KubernetesNames.AGENT.equals(labels.get(KubernetesNames.MANAGED_BY))) {
      return true;
    }
    var owners = live.getMetadata().getOwnerReferences();
    return owner.isPresent() && owners != null && owners.stream().anyMatch(o -> owner.get().getUid().equals(o.getUid()));
  }

  static void requireManaged(HasMetadata live, Optional<OwnerReference> owner, String what) throws TargetException {
    if (!isManaged(live, owner)) {
      throw new TargetException(
          what + " exists and is not labelled " + KubernetesNames.MANAGED_BY + "=" + KubernetesNames.AGENT
              + ": the agent does not take over objects it did not create");
    }
  }

  private static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }

  /** Kubernetes' own reasons ({@code metav1.StatusReason}), the only ones the control plane is told. */
  private static final Set<String> STATUS_REASONS = Set.of("Unauthorized", "Forbidden", "NotFound",
      "AlreadyExists", "Conflict", "Gone", "Invalid", "ServerTimeout", "StoreReadError", "Timeout", "TooManyRequests",
      "BadRequest", "MethodNotAllowed", "NotAcceptable", "RequestEntityTooLarge", "UnsupportedMediaType",
      "InternalError", "Expired", "ServiceUnavailable");

  /**
   * What the control plane is told of an API error: its code and reason ({@code 403 Forbidden}),
   * never its message, which admission webhooks and quota errors write freely and may quote the
   * object, an integration's source and config included. The message goes to the agent's log. The
   * reason only when it is one of Kubernetes' own ({@code metav1.StatusReason}): a webhook's denial
   * keeps the webhook's reason, which many fill with their whole text. An object the API server
   * finds invalid (422) also says which fields and why ({@link InvalidFields}).
   */
  public static String reason(KubernetesClientException e) {
    LOG.warnf("Kubernetes API error %d: %s", e.getCode(), e.getMessage());
    String given = e.getStatus() == null ? null : e.getStatus().getReason();
    String reason = given != null && STATUS_REASONS.contains(given) ? " " + given : "";
    return (e.getCode() > 0 ? e.getCode() + reason + InvalidFields.of(e).map(f -> ": " + f).orElse("")
        : "the API server did not answer") + " (the agent's log has the details)";
  }
}
