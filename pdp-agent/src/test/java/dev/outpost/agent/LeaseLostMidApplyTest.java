package dev.outpost.agent;

import static dev.outpost.agent.TestStates.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.audit.AuditEvent;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.snapshot.SecretAppliedStore;
import dev.outpost.agent.status.KubernetesStatusSource;
import dev.outpost.agent.status.StatusReporter;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.agent.targets.LeaderOnlyTarget;
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
import dev.outpost.spec.testing.LogLines;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A replica whose Lease is lost while it applies stops writing (LeaderOnlyTarget). That says nothing
 * of the revision: it was recorded as refused (an audit event, the revision attempted and failed), a
 * put-back that the lost Lease refused too logged that the data plane runs parts of both, and every
 * integration's status said "no longer leads", kept for the control plane until this replica led again.
 */
@EnableKubernetesMockClient(crud = true)
class LeaseLostMidApplyTest {
  static final String NS = "outpost";
  KubernetesClient client;

  private boolean exists(String integration) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + integration).get() != null;
  }

  @Test
  void aPassStoppedByALostLeaseIsNoVerdictOnTheRevision() {
    SnapshotSigner signer = new SnapshotSigner(Ed25519Keys.generate());
    List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    Clock clock = Clock.systemUTC();
    // the Lease is lost once int-c is written (the elector's thread says so while the pass runs)
    Reconciler reconciler = new Reconciler(new LeaderOnlyTarget(
        new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent")), () -> !exists("c")),
        clock);
    DesiredStateKeeper keeper = new DesiredStateKeeper(TestStates.DATA_PLANE,
        new SnapshotAcceptance(new SnapshotVerifier(signer.keys().getPublic()), TestStates.DATA_PLANE),
        new SecretAppliedStore(client, NS, TestStates.DATA_PLANE), reconciler, audit::add,
        new StatusReporter(TestStates.DATA_PLANE, new KubernetesStatusSource(client, NS, Optional.empty()), clock), clock);
    Snapshot first = signed(state(1, "a", "b"), signer);
    assertThat(keeper.onSnapshot(first, ProtocolCodec.encode(first))).isInstanceOf(Ack.class);

    Snapshot second = signed(state(2, "c", "d"), signer);
    try (LogLines log = LogLines.of(DesiredStateKeeper.class)) {
      keeper.onSnapshot(second, ProtocolCodec.encode(second));
      assertThat(log.errors()).as("no put-back by a replica that no longer leads").isEmpty();
    }

    assertThat(exists("c")).isTrue();
    assertThat(exists("d")).isFalse();
    assertThat(audit).as("no rejection recorded").extracting(AuditEvent::accepted).containsExactly(true);
    assertThat(keeper.lastAttemptedRevision()).isEqualTo(1);
    assertThat(keeper.applyFailure()).isEmpty();
    assertThat(keeper.reconcileStatus().ready()).isTrue();
    Status status = keeper.observeStatus();
    assertThat(status.lastAttemptedRevision()).isEqualTo(1);
    assertThat(status.integrations()).extracting(Status.IntegrationStatus::name).containsExactly("a", "b");
    assertThat(status.integrations()).allSatisfy(i -> assertThat(String.valueOf(i.message()))
        .doesNotContain("no longer leads"));
  }

  private static Snapshot signed(DataPlaneState state, SnapshotSigner signer) {
    return Snapshot.signed(StateCodec.toTree(state), signer);
  }
}
