package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.targets.KubernetesDriftWatch;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.testing.LogLines;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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

  /**
   * Timed by what the drift watch asks for and by lower bounds on the wall clock only: a loaded
   * machine makes every gap longer, never shorter, so a slow pass cannot fail it, while corrections
   * about once a second, as before, do.
   */
  @Test
  void anotherWriterChangingAFieldOverAndOverIsPutBackLessAndLessOftenAndNamedOnce() throws Exception {
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    Reconciler reconciler = new Reconciler(target, Clock.systemUTC());
    DataPlaneState state = TestStates.state(1, "orders");
    assertThat(reconciler.reconcile(state).succeeded()).isTrue();

    List<String> warned;
    AtomicInteger passes = new AtomicInteger();
    List<Long> corrections = new CopyOnWriteArrayList<>();
    List<Duration> waits = new CopyOnWriteArrayList<>();
    ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    DriftResyncs resyncs = new DriftResyncs(worker, () -> {
      passes.incrementAndGet();
      reconciler.correct(state);
    });
    KubernetesDriftWatch watch = new KubernetesDriftWatch(client, NS, target.writtenVersions(), LONGEST_WAIT, wait -> {
      waits.add(wait);
      resyncs.request(wait);
    });
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
    try (LogLines warnings = LogLines.of("dev.outpost.agent")) {
      watch.start();
      writer.execute(this::setReplicasAsTheOtherWriter);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (corrections.size() < EXPECTED_WAITS.size() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      warned = warnings.warnings();
    } finally {
      fighter.close();
      watch.stop();
      worker.shutdownNow();
      writer.shutdownNow();
    }

    assertThat(corrections).as("corrections").hasSizeGreaterThanOrEqualTo(EXPECTED_WAITS.size());
    assertThat(waits.subList(0, EXPECTED_WAITS.size())).as("the waits asked for: at once three times, then doubling"
        + " up to the longest").isEqualTo(EXPECTED_WAITS);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < corrections.size(); i++) {
      gaps.add((corrections.get(i) - corrections.get(i - 1)) / 1_000_000);
    }
    for (int i = 0; i < EXPECTED_WAITS.size() - 1; i++) {
      // each correction follows the other writer's change by its wait at the least
      assertThat(gaps.get(i)).as("gap %d of %s ms", i, gaps).isGreaterThanOrEqualTo(EXPECTED_WAITS.get(i + 1).toMillis() - 100);
    }
    assertThat(warned).filteredOn(w -> w.contains(WRITER)).as("said once, naming the writer: %s", warned)
        .singleElement().satisfies(w -> assertThat(w).contains("Deployment int-orders").contains("Update"));
    assertThat(passes.get()).as("a pass for each change by the other writer, none for the agent's own writes")
        .isLessThanOrEqualTo(corrections.size() + 1);
  }

  /** What the drift watch asks for after each of the other writer's changes, in a fight at the longest wait of 4 s. */
  static final List<Duration> EXPECTED_WAITS = Stream.of(1, 1, 1, 2, 4, 4).map(Duration::ofSeconds).toList();
}
