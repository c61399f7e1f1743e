package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesDriftWatchTest {
  static final String NS = KubernetesTargetTest.NS;
  KubernetesClient client;
  KubernetesMockServer server;

  /**
   * A watch that ends in an error other than 410 Gone (an event the client cannot read, a broken
   * stream) is started again: fabric8's default gives the informer up for good on one, and drift
   * was then corrected only at the scheduled resync, for as long as the agent ran.
   */
  @Test
  void aWatchThatFailsIsStartedAgain() throws Exception {
    client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata().withName("int-a")
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)).endMetadata().withNewSpec().endSpec()
        .build()).create();
    String listed = client.apps().deployments().inNamespace(NS).withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)
        .list().getMetadata().getResourceVersion();
    // the informer's first watch, from its list: an event with no object breaks it
    server.expect().get().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments?allowWatchBookmarks=true"
            + "&labelSelector=app.kubernetes.io%2Fmanaged-by%3Doutpost-agent&resourceVersion=" + listed
            + "&timeoutSeconds=600&watch=true")
        .andUpgradeToWebSocket().open().immediately().andEmit("{\"type\":\"ADDED\"}").done().once();
    AtomicInteger drift = new AtomicInteger();
    KubernetesDriftWatch watch = new KubernetesDriftWatch(client, NS, new WrittenVersions(), drift::incrementAndGet);
    watch.start();
    try {
      Thread.sleep(1500); // the broken watch, then the client's retry a second later
      client.apps().deployments().inNamespace(NS).withName("int-a").delete();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (drift.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(drift.get()).as("the deletion is seen by the watch started again").isPositive();
    } finally {
      watch.stop();
    }
  }

  static Deployment managed(String name, int replicas) {
    return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(NS)
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)).endMetadata()
        .withNewSpec().withReplicas(replicas).endSpec().build();
  }

  /**
   * The agent's own update (a new revision, or the put-back of a drift) asks for no pass: each
   * correction asked for the next, which found nothing to do after four list calls and three reads.
   * Someone else's change still does.
   */
  @Test
  void theAgentsOwnWritesAskForNoPassAndSomeoneElsesDo() throws Exception {
    WrittenVersions written = new WrittenVersions();
    ObjectApplier applier = new ObjectApplier(client, written);
    applier.apply(managed("int-a", 1));
    AtomicInteger drift = new AtomicInteger();
    KubernetesDriftWatch watch = new KubernetesDriftWatch(client, NS, written, drift::incrementAndGet);
    watch.start();
    try {
      for (int replicas = 2; replicas <= 4; replicas++) {
        assertThat(applier.apply(managed("int-a", replicas))).isTrue();
      }
      Thread.sleep(1500);
      assertThat(drift.get()).as("passes asked for by the agent's own writes").isZero();

      client.apps().deployments().inNamespace(NS).withName("int-a").edit(d -> {
        d.getSpec().setReplicas(9);
        return d;
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (drift.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(drift.get()).as("someone else's change asks for one").isEqualTo(1);
    } finally {
      watch.stop();
    }
  }
}
