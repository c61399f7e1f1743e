package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;

/**
 * ConfigMap {@value #NAME}, which the chart renders for a release with an agent (Helm then refuses a
 * second such release in the namespace). Every object the agent creates names it as its owner, so
 * that Kubernetes' garbage collector deletes them when the release is uninstalled: left behind, the
 * integrations' pods ran on with the release's NetworkPolicies gone, reachable from any pod past the
 * gateway. An owner is given at creation only (see keepingOwners). Without the claim (an install
 * without the chart) objects are created without an owner; the chart's agent writes nothing then.
 */
public final class NamespaceClaim {
  public static final String NAME = "outpost-namespace-claim";

  private NamespaceClaim() {}

  /** The owner reference to the claim of {@code namespace}, if it exists (one GET). */
  public static Optional<OwnerReference> read(KubernetesClient client, String namespace) throws KubernetesClientException {
    ConfigMap claim = client.configMaps().inNamespace(namespace).withName(NAME).get();
    if (claim == null || claim.getMetadata().getUid() == null || claim.getMetadata().getDeletionTimestamp() != null) {
      return Optional.empty();
    }
    // not blocking the owner's deletion, which would need update on its finalizers (RBAC)
    return Optional.of(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName(NAME)
        .withUid(claim.getMetadata().getUid()).build());
  }

  /** {@code object}, to be created, naming {@code owner} as its only owner when there is one. */
  static <T extends HasMetadata> T owned(T object, Optional<OwnerReference> owner) {
    owner.ifPresent(o -> object.getMetadata().setOwnerReferences(List.of(o)));
    return object;
  }

  /**
   * {@code object}, to replace {@code live}, with the owners {@code live} has: an owner is set when
   * an object is created, never changed by an update. Where OwnerReferencesPermissionEnforcement
   * runs (OpenShift), changing them needs delete on the object, which the agent's Role does not
   * grant on its Secrets; and an owner someone else added stays.
   */
  static <T extends HasMetadata> T keepingOwners(T object, HasMetadata live) {
    object.getMetadata().setOwnerReferences(live.getMetadata().getOwnerReferences());
    return object;
  }
}
