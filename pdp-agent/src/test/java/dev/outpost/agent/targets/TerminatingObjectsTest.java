package dev.outpost.agent.targets;

import static dev.outpost.agent.TestStates.integration;
import static dev.outpost.agent.TestStates.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.reconcile.ReconcileResult;
import dev.outpost.agent.reconcile.Reconciler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Objects being deleted (deletionTimestamp set, held by a finalizer or a foreground cascade), on the
 * mock API server, which marks an object with finalizers on delete and removes it once they are gone.
 */
@EnableKubernetesMockClient(crud = true)
class TerminatingObjectsTest {
  static final String NS = KubernetesTargetTest.NS;
  static final String FINALIZER = "example.com/backup";
  KubernetesClient client;

  Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + name).get();
  }

  /** Deletes int-{@code name}, which a finalizer keeps: it stays, with a deletionTimestamp. */
  void deleteHeldByAFinalizer(String name) {
    client.apps().deployments().inNamespace(NS).withName("int-" + name).edit(d -> {
      d.getMetadata().setFinalizers(List.of(FINALIZER));
      return d;
    });
    client.apps().deployments().inNamespace(NS).withName("int-" + name).delete();
    assertThat(deployment(name).getMetadata().getDeletionTimestamp()).as("being deleted").isNotNull();
  }

  /** The finalizer's controller is done: the Deployment goes. */
  void finalizerDone(String name) {
    client.apps().deployments().inNamespace(NS).withName("int-" + name).edit(d -> {
      d.getMetadata().setFinalizers(List.of());
      return d;
    });
    assertThat(deployment(name)).as("gone once its finalizer is").isNull();
  }

  /**
   * The Deployment controller rolls nothing out of a Deployment being deleted: a new version written
   * into it never ran, yet the revision was acked. It fails as one that may pass, naming the
   * finalizers, and once the Deployment is gone the next pass creates it with the new version.
   */
  @Test
  void aNewVersionIsNotWrittenIntoADeploymentBeingDeletedAndIsCreatedOnceItIsGone() {
    Reconciler reconciler = new Reconciler(new KubernetesTarget(client, KubernetesTargetTest.config()), Clock.systemUTC());
    assertThat(reconciler.reconcile(state(1, integration("orders", "v1"))).succeeded()).isTrue();
    deleteHeldByAFinalizer("orders");
    String before = deployment("orders").getMetadata().getResourceVersion();

    ReconcileResult result = reconciler.reconcile(state(2, integration("orders", "v2")));

    assertThat(result.succeeded()).as("not applied: nothing would run it").isFalse();
    assertThat(result.message()).contains("Deployment int-orders is being deleted (finalizers: " + FINALIZER
        + "): created again once it is gone");
    assertThat(result.transientFailure()).as("tried again, not refused for good").isTrue();
    assertThat(deployment("orders").getMetadata().getResourceVersion()).as("nothing written into it").isEqualTo(before);
    assertThat(reconciler.unwritten()).containsKey("orders");

    finalizerDone("orders");
    assertThat(reconciler.reconcile(state(2, integration("orders", "v2"))).succeeded()).isTrue();
    assertThat(deployment("orders").getMetadata().getAnnotations())
        .containsEntry(IntegrationObjects.VERSION_ANNOTATION, "v2");
    assertThat(deployment("orders").getMetadata().getDeletionTimestamp()).isNull();
  }

  /** A correction goes on with the other integrations past one being deleted, and says why. */
  @Test
  void aCorrectionPassesOverADeploymentBeingDeleted() {
    Reconciler reconciler = new Reconciler(new KubernetesTarget(client, KubernetesTargetTest.config()), Clock.systemUTC());
    assertThat(reconciler.reconcile(state(1, "billing", "orders")).succeeded()).isTrue();
    deleteHeldByAFinalizer("billing");
    client.apps().deployments().inNamespace(NS).withName("int-orders").edit(d -> {
      d.getSpec().setReplicas(9);
      return d;
    });

    ReconcileResult result = reconciler.correct(state(1, "billing", "orders"));

    assertThat(result.succeeded()).isFalse();
    assertThat(reconciler.unwritten()).containsOnlyKeys("billing");
    assertThat(reconciler.unwritten().get("billing")).contains("is being deleted");
    assertThat(deployment("orders").getSpec().getReplicas()).as("put back all the same").isEqualTo(1);
  }

  /**
   * Deleting an object already being deleted is no change: every pass counted one ("1 change(s)")
   * for as long as the finalizer held it.
   */
  @Test
  void anObjectAlreadyBeingDeletedCountsAsNoChangeWhenDeleted() throws Exception {
    Reconciler reconciler = new Reconciler(new KubernetesTarget(client, KubernetesTargetTest.config()), Clock.systemUTC());
    assertThat(reconciler.reconcile(state(1, "billing", "orders")).succeeded()).isTrue();
    client.apps().deployments().inNamespace(NS).withName("int-billing").edit(d -> {
      d.getMetadata().setFinalizers(List.of(FINALIZER));
      return d;
    });

    ReconcileResult removed = reconciler.reconcile(state(2, "orders"));
    assertThat(removed.succeeded()).isTrue();
    assertThat(removed.changes()).isPositive();
    assertThat(deployment("billing").getMetadata().getDeletionTimestamp()).as("held by its finalizer").isNotNull();

    for (int pass = 0; pass < 3; pass++) {
      ReconcileResult again = reconciler.correct(state(2, "orders"));
      assertThat(again.succeeded()).isTrue();
      assertThat(again.changes()).as("pass %d: its deletion is under way", pass).isZero();
    }
    assertThat(new KubernetesTarget(client, KubernetesTargetTest.config()).deleteIntegration("billing")).isFalse();
  }
}
