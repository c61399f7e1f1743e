package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.DesiredStateKeeper;
import dev.outpost.agent.TestStates;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.snapshot.SecretAppliedStore;
import dev.outpost.agent.status.KubernetesStatusSource;
import dev.outpost.agent.status.StatusReporter;
import dev.outpost.spec.ingest.IntegrationIngestTokens;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.SnapshotAcceptance;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.signature.SnapshotVerifier;
import dev.outpost.spec.state.StateCodec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Everything the agent writes names the chart's ConfigMap outpost-namespace-claim as its owner, so
 * that uninstalling the release (which deletes the claim) has Kubernetes' garbage collector delete
 * it too. Left behind, the integrations' pods ran on without the release's NetworkPolicies.
 */
@EnableKubernetesMockClient(crud = true)
class NamespaceClaimTest {
  static final String NS = KubernetesTargetTest.NS;
  KubernetesClient client;
  KubernetesMockServer server;

  private KubernetesTarget target() {
    return new KubernetesTarget(client, KubernetesTargetTest.config(),
        Optional.of(new IntegrationIngestTokens("data-plane-token-0123456789")));
  }

  private String claim() {
    String uid = UUID.randomUUID().toString();
    client.resource(new ConfigMapBuilder().withNewMetadata().withName(NamespaceClaim.NAME).withNamespace(NS)
        .withUid(uid).withLabels(Map.of(KubernetesNames.MANAGED_BY, "Helm")).endMetadata()
        .withData(Map.of("release", "acme")).build()).create();
    return client.configMaps().inNamespace(NS).withName(NamespaceClaim.NAME).get().getMetadata().getUid();
  }

  /** Every object the agent manages: its Deployments, Services, ConfigMaps and its two Secrets. */
  private List<HasMetadata> agentObjects() {
    List<HasMetadata> all = new ArrayList<>();
    for (var kind : List.of(Deployment.class, Service.class, ConfigMap.class, Secret.class)) {
      all.addAll(client.resources(kind).inNamespace(NS).withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)
          .list().getItems());
    }
    return all;
  }

  /**
   * A label taken off is drift, put back like any other: the agent knows its object by the claim it
   * names as owner. Found by its managed-by label alone, one relabelled by hand was refused for good,
   * its integration stuck with "cannot write". One of that name that names no such owner is still
   * never taken over.
   */
  @Test
  void anObjectOwnedByTheClaimWhoseLabelWasTakenOffIsTheAgentsStill() throws Exception {
    claim();
    Reconciler reconciler = new Reconciler(target(), Clock.systemUTC());
    assertThat(reconciler.reconcile(TestStates.state(1, "a")).succeeded()).isTrue();
    client.apps().deployments().inNamespace(NS).withName("int-a").edit(d -> {
      d.getMetadata().getLabels().put(KubernetesNames.MANAGED_BY, "Helm");
      return d;
    });
    var pass = reconciler.reconcile(TestStates.state(1, "a"));
    assertThat(pass.succeeded()).isTrue();
    assertThat(client.apps().deployments().inNamespace(NS).withName("int-a").get().getMetadata().getLabels())
        .containsEntry(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT);
  }

  @Test
  void everyObjectTheAgentWritesIsOwnedByTheClaim() throws Exception {
    String uid = claim();
    Reconciler reconciler = new Reconciler(target(), Clock.systemUTC());
    assertThat(reconciler.reconcile(TestStates.state(1, "a", "b")).succeeded()).isTrue();
    assertThat(reconciler.reconcile(TestStates.state(1, "a", "b")).changes()).as("owned objects hold on the next pass")
        .isZero();
    new SecretAppliedStore(client, NS, TestStates.DATA_PLANE).save("{\"type\":\"snapshot\"}", 1);

    List<HasMetadata> objects = agentObjects();
    assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).contains(
        "Deployment/int-a", "Service/int-b", "ConfigMap/" + KubernetesNames.ROUTES_CONFIG_MAP,
        "ConfigMap/" + KubernetesNames.TELEMETRY_CONFIG_MAP, "Secret/" + KubernetesNames.INGEST_TOKENS_SECRET,
        "Secret/" + KubernetesNames.APPLIED_SECRET);
    assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getOwnerReferences())
        .as(o.getKind() + " " + o.getMetadata().getName()).singleElement().satisfies(owner -> {
          assertThat(owner.getUid()).isEqualTo(uid);
          assertThat(owner.getKind()).isEqualTo("ConfigMap");
          assertThat(owner.getName()).isEqualTo(NamespaceClaim.NAME);
          assertThat(owner.getBlockOwnerDeletion()).as("would need update on the claim's finalizers").isNull();
        }));
  }

  @Test
  void withoutAClaimNothingHasAnOwner() throws Exception {
    assertThat(new Reconciler(target(), Clock.systemUTC()).reconcile(TestStates.state(1, "a")).succeeded()).isTrue();
    assertThat(agentObjects()).isNotEmpty()
        .allSatisfy(o -> assertThat(o.getMetadata().getOwnerReferences()).as(o.getMetadata().getName()).isEmpty());
  }

  /**
   * An owner is given at creation only: an update keeps the owners the live object has, its own
   * and anyone else's. Changing them needs delete on the object where OwnerReferencesPermissionEnforcement
   * runs (OpenShift), which the agent's Role does not grant on its Secrets.
   */
  @Test
  void anUpdateKeepsTheOwnersTheObjectHas() throws Exception {
    String uid = claim();
    Reconciler reconciler = new Reconciler(target(), Clock.systemUTC());
    reconciler.reconcile(TestStates.state(1, "a"));
    Deployment deployment = client.apps().deployments().inNamespace(NS).withName("int-a").get();
    OwnerReference other = new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion("v1")
        .withKind("ConfigMap").withName("someone-elses").withUid(UUID.randomUUID().toString()).build();
    deployment.getMetadata().setOwnerReferences(List.of(deployment.getMetadata().getOwnerReferences().get(0), other));
    client.resource(deployment).update();

    assertThat(reconciler.reconcile(TestStates.state(2, TestStates.integration("a", "v2"), TestStates.integration("b")))
        .succeeded()).isTrue();
    Deployment updated = client.apps().deployments().inNamespace(NS).withName("int-a").get();
    assertThat(updated.getMetadata().getAnnotations()).containsEntry("outpost.dev/version", "v2");
    assertThat(updated.getMetadata().getOwnerReferences()).extracting(OwnerReference::getUid)
        .containsExactly(uid, other.getUid());
    Secret tokens = client.secrets().inNamespace(NS).withName(KubernetesNames.INGEST_TOKENS_SECRET).get();
    assertThat(tokens.getData()).containsOnlyKeys("a", "b");
    assertThat(tokens.getMetadata().getOwnerReferences()).extracting(OwnerReference::getUid).containsExactly(uid);
  }

  /**
   * The chart's agent writes nothing while the claim is missing: deleted by hand, it took every
   * object of the agent with it, and what the drift watch wrote back would have had no owner.
   */
  @Test
  void withTheClaimRequiredNothingIsWrittenWithoutIt() throws Exception {
    Reconciler reconciler = new Reconciler(new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"),
        Optional.of(new IntegrationIngestTokens("data-plane-token-0123456789")), true), Clock.systemUTC());
    var refused = reconciler.reconcile(TestStates.state(1, "a"));
    assertThat(refused.succeeded()).isFalse();
    assertThat(refused.message()).contains(NamespaceClaim.NAME).contains("nothing is written");
    assertThat(agentObjects()).isEmpty();

    String uid = claim();
    assertThat(reconciler.reconcile(TestStates.state(1, "a")).succeeded()).isTrue();
    assertThat(agentObjects()).isNotEmpty().allSatisfy(o -> assertThat(o.getMetadata().getOwnerReferences())
        .as(o.getMetadata().getName()).extracting(OwnerReference::getUid).containsExactly(uid));
  }

  private KubernetesTarget requiringClaim() {
    return new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"),
        Optional.of(new IntegrationIngestTokens("data-plane-token-0123456789")), true);
  }

  /** Deletes the claim as Kubernetes does, with every object that names it as owner (the garbage collector). */
  private void deleteClaimWithWhatItOwns(String uid) {
    client.configMaps().inNamespace(NS).withName(NamespaceClaim.NAME).delete();
    for (var kind : List.of(Deployment.class, Service.class, PodDisruptionBudget.class, ConfigMap.class, Secret.class)) {
      deleteOwned(kind, uid);
    }
  }

  private <T extends HasMetadata> void deleteOwned(Class<T> kind, String uid) {
    client.resources(kind).inNamespace(NS).list().getItems().stream()
        .filter(o -> o.getMetadata().getOwnerReferences().stream().anyMatch(r -> uid.equals(r.getUid())))
        .forEach(o -> client.resource(o).delete());
  }

  /**
   * PROTOCOL.md 3.5: an integration the agent cannot write says why. With the claim gone, every
   * integration was Pending with no message at all, the reason only in the agent's log and health.
   */
  @Test
  void whileTheClaimIsMissingEveryIntegrationsStatusSaysWhy() throws Exception {
    String uid = claim();
    Reconciler reconciler = new Reconciler(requiringClaim(), Clock.systemUTC());
    DataPlaneState state = TestStates.state(1, "a", "b");
    assertThat(reconciler.reconcile(state).succeeded()).isTrue();
    deleteClaimWithWhatItOwns(uid);
    assertThat(reconciler.correct(state).succeeded()).isFalse();

    Status status = new StatusReporter(TestStates.DATA_PLANE, new KubernetesStatusSource(client, NS, Optional.empty()),
        Clock.systemUTC()).observe(state, 1, 1, Map.of(), reconciler.unwritten());
    assertThat(status.integrations()).hasSize(2).allSatisfy(i -> assertThat(i.message())
        .startsWith("the agent cannot write it: ConfigMap " + NamespaceClaim.NAME + " is missing"));

    claim();
    assertThat(reconciler.correct(state).succeeded()).isTrue();
    assertThat(reconciler.unwritten()).isEmpty();
  }

  /**
   * Secret outpost-agent-applied is owned by the claim and goes with it: once the claim is back, the
   * resync that puts the integrations back keeps the applied snapshot again, or a restart would find
   * none and enforce nothing until the control plane answered.
   */
  @Test
  void theAppliedSnapshotIsKeptAgainOnceTheClaimIsBack() throws Exception {
    String uid = claim();
    SnapshotSigner signer = new SnapshotSigner(Ed25519Keys.generate());
    SecretAppliedStore store = new SecretAppliedStore(client, NS, TestStates.DATA_PLANE);
    DesiredStateKeeper keeper = keeper(store, signer);
    Snapshot snapshot = Snapshot.signed(StateCodec.toTree(TestStates.state(3, "a")), signer);
    assertThat(keeper.onSnapshot(snapshot, ProtocolCodec.encode(snapshot))).isInstanceOf(Ack.class);

    deleteClaimWithWhatItOwns(uid);
    assertThat(store.load()).isEmpty();
    assertThat(keeper.resync()).hasValueSatisfying(r -> assertThat(r.succeeded()).isFalse());
    claim();
    assertThat(keeper.resync()).hasValueSatisfying(r -> assertThat(r.succeeded()).isTrue());
    assertThat(client.apps().deployments().inNamespace(NS).withName("int-a").get()).isNotNull();

    DesiredStateKeeper restarted = keeper(store, signer);
    restarted.restore();
    assertThat(restarted.lastAppliedRevision()).as("what a restart restores").isEqualTo(3);
  }

  /**
   * Deleted on its own (by hand, or by the garbage collector after the claim's other dependents), the
   * Secret was never noticed: only a failed pass or one that changed something looked for it. The pass
   * reads it anyway (the agent's hold on the namespace): that one read tells, and no second one is made.
   */
  @Test
  void anAppliedSnapshotDeletedOnItsOwnIsKeptAgainAtTheNextResync() throws Exception {
    Applied applied = revision3Applied();
    DesiredStateKeeper keeper = applied.keeper();
    drainRequests();
    assertThat(keeper.resync()).hasValueSatisfying(r -> assertThat(r.changes()).isZero());
    assertThat(drainRequests()).as("one read of the Secret in a pass").containsOnlyOnce(
        "GET /api/v1/namespaces/" + NS + "/secrets/" + KubernetesNames.APPLIED_SECRET);

    client.secrets().inNamespace(NS).withName(KubernetesNames.APPLIED_SECRET).delete();
    assertThat(keeper.resync()).hasValueSatisfying(r -> assertThat(r.changes()).as("nothing else changed").isZero());

    assertThat(restarted(applied).lastAppliedRevision()).as("what a restart restores").isEqualTo(3);
  }

  /**
   * The pass that found the Secret gone records this agent in a new one, with no snapshot yet; when
   * that pass fails, the next ones saw their own record and took the snapshot for kept: a restart
   * restored nothing.
   */
  @Test
  void anAppliedSnapshotDeletedOnItsOwnIsKeptAgainEvenWhenThePassThatRecordedThisAgentFailed() throws Exception {
    Applied applied = revision3Applied();
    DesiredStateKeeper keeper = applied.keeper();

    client.secrets().inNamespace(NS).withName(KubernetesNames.APPLIED_SECRET).delete();
    client.apps().deployments().inNamespace(NS).withName("int-a").delete();
    // the Deployment's write is refused once (a webhook timing out, say)
    server.expect().post().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments")
        .andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(403).withReason("Forbidden").build())
        .once();
    assertThat(keeper.resync()).hasValueSatisfying(r -> assertThat(r.succeeded()).isFalse());
    assertThat(keeper.resync()).hasValueSatisfying(r -> assertThat(r.succeeded()).isTrue());

    assertThat(restarted(applied).lastAppliedRevision()).as("what a restart restores").isEqualTo(3);
  }

  /** A keeper of one hold, store and target, as the agent wires them, that applied revision 3. */
  private record Applied(DesiredStateKeeper keeper, SecretAppliedStore store, KubernetesTarget target,
      SnapshotSigner signer) {}

  /** A keeper started anew on {@code applied}'s store and target, having restored what the store holds. */
  private DesiredStateKeeper restarted(Applied applied) throws Exception {
    DesiredStateKeeper restarted = keeper(applied.store(), applied.target(), applied.signer());
    restarted.restore();
    return restarted;
  }

  private Applied revision3Applied() throws Exception {
    claim();
    SnapshotSigner signer = new SnapshotSigner(Ed25519Keys.generate());
    NamespaceHold hold = new NamespaceHold(new AgentIdentity(TestStates.DATA_PLANE, AgentIdentity.DEFAULT_AGENT));
    SecretAppliedStore store = new SecretAppliedStore(client, NS, hold);
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"),
        Optional.empty(), true, hold);
    DesiredStateKeeper keeper = keeper(store, target, signer);
    Snapshot snapshot = Snapshot.signed(StateCodec.toTree(TestStates.state(3, "a")), signer);
    assertThat(keeper.onSnapshot(snapshot, ProtocolCodec.encode(snapshot))).isInstanceOf(Ack.class);
    return new Applied(keeper, store, target, signer);
  }

  private List<String> drainRequests() throws InterruptedException {
    List<String> requests = new ArrayList<>();
    RecordedRequest request;
    while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      requests.add(request.getMethod() + " " + request.getPath());
    }
    return requests;
  }

  private DesiredStateKeeper keeper(SecretAppliedStore store, SnapshotSigner signer) {
    return keeper(store, requiringClaim(), signer);
  }

  private DesiredStateKeeper keeper(SecretAppliedStore store, KubernetesTarget target, SnapshotSigner signer) {
    Clock clock = Clock.systemUTC();
    return new DesiredStateKeeper(TestStates.DATA_PLANE,
        new SnapshotAcceptance(new SnapshotVerifier(signer.keys().getPublic()), TestStates.DATA_PLANE), store,
        new Reconciler(target, clock), decision -> { },
        new StatusReporter(TestStates.DATA_PLANE, new KubernetesStatusSource(client, NS, Optional.empty()), clock), clock);
  }
}
