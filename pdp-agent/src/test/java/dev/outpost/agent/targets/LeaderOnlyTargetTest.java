package dev.outpost.agent.targets;

import static dev.outpost.agent.TestStates.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.reconcile.ReconcileResult;
import dev.outpost.agent.reconcile.Reconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * A replica that loses the Lease stops writing within the pass it is in: stopping only its future
 * passes let an old leader go on writing and pruning while the new one applied.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderOnlyTargetTest {
  static final String NS = KubernetesTargetTest.NS;
  KubernetesClient client;

  private boolean exists(String integration) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + integration).get() != null;
  }

  @Test
  void aPassStopsWritingOnceTheLeaseIsLost() throws Exception {
    // the Lease is lost once int-c is written (the elector's thread says so while the pass runs)
    Reconciler reconciler = new Reconciler(new LeaderOnlyTarget(
        new KubernetesTarget(client, KubernetesTargetTest.config()), () -> !exists("c")), Clock.systemUTC());
    assertThat(reconciler.reconcile(state(1, "a", "b")).succeeded()).isTrue();

    ReconcileResult lost = reconciler.reconcile(state(2, "c", "d"));

    assertThat(lost.succeeded()).isFalse();
    assertThat(lost.message()).contains("no longer leads");
    assertThat(exists("c")).isTrue();
    assertThat(exists("d")).as("written after the Lease was lost").isFalse();
    assertThat(exists("a") && exists("b")).as("pruned after the Lease was lost").isTrue();
    assertThat(client.configMaps().inNamespace(NS).withName(KubernetesNames.ROUTES_CONFIG_MAP).get().getData()
        .get(KubernetesNames.ROUTES_KEY)).contains("r-a").doesNotContain("r-c");
  }
}
