package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.testing.LogLines;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    // the informer's first watch, from its list: an event with no object breaks it
    server.expect().get().withPath(firstWatchOfDeployments()).andUpgradeToWebSocket().open().immediately().andEmit("{\"type\":\"ADDED\"}").done().once();
    AtomicInteger drift = new AtomicInteger();
    KubernetesDriftWatch watch = new KubernetesDriftWatch(client, NS, new WrittenVersions(), drift::incrementAndGet);
    watch.start();
    try {
      Thread.sleep(1500); // the broken watch, then the client's retry a second later
      client.apps().deployments().inNamespace(NS).withName("int-a").delete();
      awaitDrift(drift, 15);
      assertThat(drift.get()).as("the deletion is seen by the watch started again").isPositive();
    } finally {
      watch.stop();
    }
  }

  /**
   * A watch that ends with 410 Gone is followed by a new list, and the informer tells each object
   * whose version changed meanwhile as an update from the version it last saw. The agent's update
   * replaced that very version, so someone else's change after it was taken for the agent's own and
   * asked for no pass: once the update's answer has said which version it made, only that one is.
   */
  @Test
  void someoneElsesChangeAfterTheAgentsUpdateSeenAtAReListAsksForAPass() throws Exception {
    WrittenVersions written = new WrittenVersions();
    ObjectApplier applier = new ObjectApplier(client, written);
    applier.apply(managed("int-a", 1));
    // the informer's first watch, from its list, tells nothing, then ends with 410 Gone: it lists again
    server.expect().get().withPath(firstWatchOfDeployments()).andUpgradeToWebSocket().open().waitFor(2000).andEmit(new WatchEvent(new StatusBuilder().withCode(410)
            .withReason("Expired").withMessage("too old resource version").build(), "ERROR")).done().once();
    AtomicInteger drift = new AtomicInteger();
    KubernetesDriftWatch watch = new KubernetesDriftWatch(client, NS, written, drift::incrementAndGet);
    watch.start();
    try {
      assertThat(applier.apply(managed("int-a", 2))).isTrue();
      client.apps().deployments().inNamespace(NS).withName("int-a").edit(d -> {
        d.getSpec().setReplicas(9);
        return d;
      });
      awaitDrift(drift, 10);
      assertThat(drift.get()).as("someone else's change, seen at the new list").isEqualTo(1);
    } finally {
      watch.stop();
    }
  }

  /**
   * An autoscaler's replicas, which the agent leaves, marked an object as changed by someone else, and
   * no put-back cleared it: each write of a new revision after one counted as a correction, so three
   * deploys of an autoscaled integration within five minutes were a fight (a WARN naming the
   * autoscaler), and the next real drift waited twice as long to be put back. Only the agent's
   * corrections of someone else's change count.
   */
  @Test
  void newRevisionsWrittenBetweenChangesTheAgentLeavesAreNoFight() throws Exception {
    WrittenVersions written = new WrittenVersions();
    ObjectApplier applier = new ObjectApplier(client, written);
    applier.apply(autoscaled(1));
    List<Duration> waits = new CopyOnWriteArrayList<>();
    KubernetesDriftWatch watch = new KubernetesDriftWatch(client, NS, written, Duration.ofSeconds(60), waits::add);
    try (LogLines warnings = LogLines.of(DriftFights.class.getName())) {
      watch.start();
      for (int revision = 2; revision <= 4; revision++) {
        int replicas = revision + 1;
        client.apps().deployments().inNamespace(NS).withName("int-a").edit(d -> {
          d.getSpec().setReplicas(replicas); // the autoscaler
          return d;
        });
        awaitSize(waits, revision - 1);
        assertThat(applier.apply(autoscaled(revision))).as("revision %d written", revision).isTrue();
        assertThat(client.apps().deployments().inNamespace(NS).withName("int-a").get().getSpec().getReplicas())
            .as("the autoscaler's count kept").isEqualTo(replicas);
      }
      Thread.sleep(1000); // the agent's own updates seen by the watch
      client.apps().deployments().inNamespace(NS).withName("int-a").edit(d -> {
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("someone/else:1");
        return d;
      });
      awaitSize(waits, 4);

      assertThat(waits).as("each change put back, or left, after the first wait").containsOnly(DriftFights.FIRST_WAIT);
      assertThat(warnings.warnings()).as("no fight").isEmpty();
    } finally {
      watch.stop();
    }
  }

  /** Revision {@code revision} of int-a, whose replicas an autoscaler sets. */
  static Deployment autoscaled(int revision) {
    return new DeploymentBuilder().withNewMetadata().withName("int-a").withNamespace(NS)
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT))
        .withAnnotations(Map.of(ObjectApplier.EXTERNAL_REPLICAS, "external", "example.com/revision", "" + revision))
        .endMetadata().withNewSpec().withReplicas(1).withNewTemplate().withNewSpec().addNewContainer().withName("runtime")
        .withImage("img:" + revision).endContainer().endSpec().endTemplate().endSpec().build();
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(list).as("seen by the watch").hasSize(size);
  }

  /** The path of the informer's first watch of the agent's Deployments: from their list as it is now. */
  private String firstWatchOfDeployments() {
    String listed = client.apps().deployments().inNamespace(NS).withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)
        .list().getMetadata().getResourceVersion();
    return "/apis/apps/v1/namespaces/" + NS + "/deployments?allowWatchBookmarks=true"
        + "&labelSelector=app.kubernetes.io%2Fmanaged-by%3Doutpost-agent&resourceVersion=" + listed
        + "&timeoutSeconds=600&watch=true";
  }

  /** Waits up to {@code seconds} for a pass to be asked for. */
  private static void awaitDrift(AtomicInteger drift, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (drift.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
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
      awaitDrift(drift, 10);
      assertThat(drift.get()).as("someone else's change asks for one").isEqualTo(1);
    } finally {
      watch.stop();
    }
  }
}
