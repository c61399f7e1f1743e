package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.testing.LogLines;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fights over an object, on a clock the test moves. */
class DriftFightsTest {
  static final String AGENT = "fabric8-kubernetes-client";
  long nanos = 42;
  LogLines warnings;

  @BeforeEach
  void listen() {
    warnings = LogLines.of(DriftFights.class.getName());
  }

  @AfterEach
  void stopListening() {
    warnings.close();
  }

  DriftFights fights(Duration longestWait) {
    return new DriftFights(longestWait, AGENT, () -> nanos);
  }

  void elapse(Duration time) {
    nanos += time.toNanos();
  }

  static ManagedFieldsEntry entry(String manager, String time, String subresource) {
    return new ManagedFieldsEntryBuilder().withManager(manager).withOperation("Update").withApiVersion("apps/v1")
        .withTime(time).withSubresource(subresource).build();
  }

  /**
   * As an API server leaves it after another writer's change: that writer's entry is the newest
   * but the status the Deployment controller writes, and ties with the agent's own.
   */
  static Deployment changedBy(String manager) {
    return new DeploymentBuilder().withNewMetadata().withName("int-orders").withNamespace("outpost")
        .withManagedFields(entry("kube-controller-manager", "2026-05-01T10:00:09Z", "status"),
            entry(manager, "2026-05-01T10:00:07Z", null), entry(AGENT, "2026-05-01T10:00:07Z", null),
            entry("helm", "2026-04-01T08:00:00Z", null))
        .endMetadata().build();
  }

  /** Another writer changes it, the agent puts it back after the wait asked for: that wait. */
  Duration round(DriftFights fights, String writer) {
    Duration wait = fights.changed(changedBy(writer));
    elapse(wait);
    fights.putBack(changedBy(writer));
    return wait;
  }

  /**
   * Put-backs no watch reported a change for (a mutating webhook's rewrite at each resync) make a fight
   * too; it ends after the quiet period all the same, so the next real change is put back at once.
   */
  @Test
  void aFightOfPutBacksAloneEndsAfterTheQuietPeriod() {
    DriftFights fights = fights(Duration.ofSeconds(10));
    for (int i = 0; i < 3; i++) {
      fights.putBack(changedBy("kube-apiserver"));
      elapse(Duration.ofSeconds(60));
    }
    elapse(Duration.ofMinutes(6));
    assertThat(fights.changed(changedBy("someone"))).isEqualTo(DriftFights.FIRST_WAIT);
  }

  @Test
  void threeCorrectionsInFiveMinutesAreAFightSaidOnceAndPutBackAfterADoublingWait() {
    DriftFights fights = fights(Duration.ofSeconds(10));
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      waits.add(round(fights, "argocd-application-controller").toMillis());
    }
    assertThat(waits).containsExactly(1000L, 1000L, 1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L);
    assertThat(warnings.warnings()).singleElement().satisfies(w -> assertThat(w)
        .contains("Deployment int-orders")
        .contains("3 times in 5 minutes")
        .contains("manager argocd-application-controller, operation Update, at 2026-05-01T10:00:07Z")
        .contains("10 s"));
  }

  @Test
  void aFightEndsAfterAQuietPeriodAndTheNextIsSaidAgain() {
    DriftFights fights = fights(Duration.ofSeconds(10));
    for (int i = 0; i < 5; i++) {
      round(fights, "kustomize-controller");
    }
    elapse(Duration.ofMinutes(5));
    assertThat(round(fights, "kustomize-controller")).as("at once again").isEqualTo(Duration.ofSeconds(1));
    round(fights, "kustomize-controller");
    round(fights, "kustomize-controller");
    assertThat(warnings.warnings()).hasSize(2);
  }

  /** At the longest wait the changes are that far apart: the fight goes on, not ended by the quiet period. */
  @Test
  void aFightAtTheLongestWaitGoesOnWhenThatWaitIsLongerThanFiveMinutes() {
    DriftFights fights = fights(Duration.ofMinutes(10));
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      waits.add(round(fights, "argocd-application-controller"));
    }
    assertThat(waits.subList(12, 14)).containsOnly(Duration.ofMinutes(10));
    assertThat(warnings.warnings()).hasSize(1);
  }

  @Test
  void correctionsFarApartAreNoFight() {
    DriftFights fights = fights(Duration.ofSeconds(60));
    for (int i = 0; i < 6; i++) {
      assertThat(round(fights, "kubectl-edit")).isEqualTo(Duration.ofSeconds(1));
      elapse(Duration.ofMinutes(3));
    }
    assertThat(warnings.warnings()).isEmpty();
  }

  /** An autoscaler's count, which the agent leaves: changed over and over, never put back, no fight. */
  @Test
  void changesTheAgentDoesNotPutBackAreNoFight() {
    DriftFights fights = fights(Duration.ofSeconds(60));
    for (int i = 0; i < 6; i++) {
      assertThat(fights.changed(changedBy("horizontal-pod-autoscaler"))).isEqualTo(Duration.ofSeconds(1));
      elapse(Duration.ofSeconds(15));
    }
    assertThat(warnings.warnings()).isEmpty();
  }

  /**
   * {@code kubectl scale} writes through the scale subresource, and every subresource's entry was
   * passed over: the writer named was an older one. Only the status subresource is the controllers'.
   */
  @Test
  void aWriterThroughTheScaleSubresourceIsNamed() {
    DriftFights fights = fights(Duration.ofSeconds(60));
    Deployment scaled = new DeploymentBuilder().withNewMetadata().withName("int-orders").withNamespace("outpost")
        .withManagedFields(entry("kube-controller-manager", "2026-05-01T10:00:09Z", "status"),
            entry("kubectl", "2026-05-01T10:00:08Z", "scale"), entry(AGENT, "2026-05-01T10:00:07Z", null),
            entry("helm", "2026-04-01T08:00:00Z", null))
        .endMetadata().build();
    for (int i = 0; i < 3; i++) {
      elapse(fights.changed(scaled));
      fights.putBack(scaled);
    }
    assertThat(warnings.warnings()).singleElement().satisfies(w -> assertThat(w)
        .contains("manager kubectl, operation Update, at 2026-05-01T10:00:08Z"));
  }

  @Test
  void anObjectWithoutManagedFieldsNamesNoWriter() {
    DriftFights fights = fights(Duration.ofSeconds(60));
    Deployment bare = new DeploymentBuilder().withNewMetadata().withName("int-orders").withNamespace("outpost")
        .endMetadata().build();
    for (int i = 0; i < 3; i++) {
      elapse(fights.changed(bare));
      fights.putBack(bare);
    }
    assertThat(warnings.warnings()).singleElement().satisfies(w -> assertThat(w).contains("last writer unknown"));
  }
}
