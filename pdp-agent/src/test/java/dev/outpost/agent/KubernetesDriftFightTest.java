package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.targets.KubernetesDriftWatch;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.spec.model.DataPlaneState;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Another controller that keeps rewriting a field of what the agent wrote (a custom replica setter,
 * Argo CD's self-heal, a Kustomize patch) against the agent's drift watch and its passes, on the mock
 * API server: put back at once at first, then after a growing wait, and said once, naming the writer.
 * Before, it was put back about once a second for ever, with no word but an INFO line each time.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesDriftFightTest {
  static final String NS = "outpost";
  /** The resync interval here: the longest a change waits before it is put back. */
  static final Duration LONGEST_WAIT = Duration.ofSeconds(4);
  static final String WRITER = "replica-setter";
  KubernetesClient client;

  /** What a replica setter writes: its count, and the managedFields entry an API server records for it. */
  void setReplicasAsTheOtherWriter() {
    client.apps().deployments().inNamespace(NS).withName("int-orders").edit(d -> {
      d.getSpec().setReplicas(3);
      d.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager(WRITER)
          .withOperation("Update").withApiVersion("apps/v1").withFieldsType("FieldsV1")
          .withTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build()));
      return d;
    });
  }

  @Test
  void anotherWriterChangingAFieldOverAndOverIsPutBackLessAndLessOftenAndNamedOnce() throws Exception {
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    Reconciler reconciler = new Reconciler(target, Clock.systemUTC());
    DataPlaneState state = TestStates.state(1, "orders");
    assertThat(reconciler.reconcile(state).succeeded()).isTrue();

    List<String> warned;
    AtomicInteger passes = new AtomicInteger();
    List<Long> corrections = new CopyOnWriteArrayList<>();
    ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    DriftResyncs resyncs = new DriftResyncs(worker, () -> {
      passes.incrementAndGet();
      reconciler.correct(state);
    });
    KubernetesDriftWatch watch = new KubernetesDriftWatch(client, NS, target.writtenVersions(), LONGEST_WAIT, resyncs::request);
    // the other writer sets its count again as soon as it sees the agent's
    Watch fighter = client.apps().deployments().inNamespace(NS).withName("int-orders").watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Deployment d) {
        if (action == Action.MODIFIED && d.getSpec().getReplicas() != 3) {
          corrections.add(System.nanoTime());
          writer.execute(KubernetesDriftFightTest.this::setReplicasAsTheOtherWriter);
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
    try (Warnings warnings = Warnings.of("dev.outpost.agent")) {
      watch.start();
      writer.execute(this::setReplicasAsTheOtherWriter);
      Thread.sleep(20_000);
      warned = warnings.lines();
    } finally {
      fighter.close();
      watch.stop();
      worker.shutdownNow();
      writer.shutdownNow();
    }

    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < corrections.size(); i++) {
      gaps.add((corrections.get(i) - corrections.get(i - 1)) / 1_000_000);
    }
    assertThat(corrections.size()).as("corrections in 20 s, %s ms apart", gaps).isBetween(5, 9);
    assertThat(gaps.get(0)).as("the first ones at once, as before: %s ms", gaps).isLessThan(1800);
    assertThat(gaps.get(gaps.size() - 1)).as("the last ones the longest wait apart: %s ms", gaps)
        .isGreaterThanOrEqualTo(LONGEST_WAIT.toMillis() - 500);
    for (int i = 1; i < gaps.size(); i++) {
      assertThat(gaps.get(i)).as("never closer than before: %s ms", gaps).isGreaterThan(gaps.get(i - 1) - 500);
    }
    assertThat(warned).filteredOn(w -> w.contains(WRITER)).as("said once, naming the writer: %s", warned)
        .singleElement().satisfies(w -> assertThat(w).contains("Deployment int-orders").contains("Update"));
    assertThat(passes.get()).as("a pass for each change by the other writer, none for the agent's own writes")
        .isLessThanOrEqualTo(corrections.size() + 1);
  }
}
