package dev.outpost.agent.status;

import static dev.outpost.agent.TestPods.condition;
import static dev.outpost.agent.TestPods.pod;
import static dev.outpost.agent.TestPods.readyPod;
import static dev.outpost.agent.TestPods.running;
import static dev.outpost.agent.TestPods.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Pod and Deployment statuses as the kubelet, scheduler and controllers write them in each case. */
class NotReadyReasonTest {
  static final Deployment PROGRESSING = deployment("Progressing", "True", "ReplicaSetUpdated", "ReplicaSet is progressing");
  static final Function<String, Optional<Event>> NO_EVENTS = pod -> Optional.empty();

  @Test
  void anImageThatCannotBePulledIsNamedWithTheKubeletsMessage() {
    Pod pod = pod("int-a-1", "2026-12-05T08:00:00Z", waiting("ImagePullBackOff", "Back-off pulling image \"registry.example/runtime:9\""));
    assertThat(NotReadyReason.of(PROGRESSING, List.of(pod), NO_EVENTS))
        .contains("ImagePullBackOff: Back-off pulling image \"registry.example/runtime:9\"");
  }

  @Test
  void aMissingSecretKeyForTheEnvironmentIsNamed() {
    Pod pod = pod("int-a-1", "2026-12-05T08:00:00Z",
        waiting("CreateContainerConfigError", "couldn't find key a in Secret outpost/outpost-integration-tokens"));
    assertThat(NotReadyReason.of(PROGRESSING, List.of(pod), NO_EVENTS))
        .contains("CreateContainerConfigError: couldn't find key a in Secret outpost/outpost-integration-tokens");
  }

  @Test
  void aSecretVolumeThatCannotMountIsTakenFromThePodsNewestVolumeWarning() {
    Pod pod = pod("int-a-1", "2026-12-05T08:00:00Z", waiting("ContainerCreating", null));
    Event warning = new EventBuilder().withReason("FailedMount")
        .withMessage("MountVolume.SetUp failed for volume \"secret-0\" : secret \"db-credentials\" not found").build();
    assertThat(NotReadyReason.of(PROGRESSING, List.of(pod), name -> "int-a-1".equals(name) ? Optional.of(warning) : Optional.empty()))
        .contains("FailedMount: MountVolume.SetUp failed for volume \"secret-0\" : secret \"db-credentials\" not found");
  }

  /** The runtime is up, its integration is not (a route Camel cannot start): told once it has lasted a minute. */
  @Test
  void aStartedContainerThatStaysNotReadyIsTold() {
    ContainerStatus upNotReady = new ContainerStatusBuilder(running()).withStarted(true).withReady(false).build();
    Pod pod = pod("int-a-1", "2026-12-05T08:00:00Z", upNotReady);
    java.time.Instant started = java.time.Instant.parse("2026-12-05T08:00:01Z");
    assertThat(NotReadyReason.of(PROGRESSING, List.of(pod), NO_EVENTS, started.plusSeconds(20))).as("still starting").isEmpty();
    assertThat(NotReadyReason.of(PROGRESSING, List.of(pod), NO_EVENTS, started.plusSeconds(61)))
        .contains(NotReadyReason.NOT_READY);
    Pod notStarted = pod("int-a-1", "2026-12-05T08:00:00Z", new ContainerStatusBuilder(running()).withStarted(false).build());
    assertThat(NotReadyReason.of(PROGRESSING, List.of(notStarted), NO_EVENTS, started.plusSeconds(61)))
        .as("its startup probe has not passed").isEmpty();
  }

  @Test
  void aContainerStillStartingWithoutWarningsHasNoReason() {
    Pod creating = pod("int-a-1", "2026-12-05T08:00:00Z", waiting("ContainerCreating", null));
    Pod running = pod("int-a-2", "2026-12-05T08:00:00Z", running());
    assertThat(NotReadyReason.of(PROGRESSING, List.of(creating, running), NO_EVENTS)).isEmpty();
  }

  @Test
  void aCrashLoopIsToldByHowTheContainerLastEndedNeverByItsTerminationMessage() {
    ContainerStatus crashing = new ContainerStatusBuilder().withName("integration")
        .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
        .withMessage("back-off 2m40s restarting failed container=integration pod=int-a-1_outpost(uid)").endWaiting().endState()
        .withNewLastState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
        .withMessage("card 4111-1111-1111-1111 declined").endTerminated().endLastState()
        .build();
    Optional<String> reason = NotReadyReason.of(PROGRESSING, List.of(pod("int-a-1", "2026-12-05T08:00:00Z", crashing)), NO_EVENTS);
    assertThat(reason).contains("CrashLoopBackOff: the container last ended OOMKilled (exit code 137)");

    // the kubelet's back-off grows at every restart; the reason stays the same, so no new status is sent
    crashing.getState().getWaiting().setMessage("back-off 5m0s restarting failed container=integration pod=int-a-1_outpost(uid)");
    assertThat(NotReadyReason.of(PROGRESSING, List.of(pod("int-a-1", "2026-12-05T08:00:00Z", crashing)), NO_EVENTS))
        .isEqualTo(reason);
  }

  @Test
  void aPodNoNodeCanTakeIsNamedWithTheSchedulersMessage() {
    Pod pod = new PodBuilder().withNewMetadata().withName("int-a-1").withCreationTimestamp("2026-12-05T08:00:00Z").endMetadata()
        .withNewStatus().withPhase("Pending").withConditions(condition("PodScheduled", "False", "Unschedulable",
            "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available.")).endStatus()
        .build();
    assertThat(NotReadyReason.of(PROGRESSING, List.of(pod), NO_EVENTS))
        .contains("Unschedulable: 0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available.");
  }

  @Test
  void withoutPodsAQuotaRefusingThemIsTakenFromTheDeployment() {
    Deployment refused = deployment("ReplicaFailure", "True", "FailedCreate",
        "pods \"int-a-5d9f\" is forbidden: exceeded quota: small, requested: memory=512Mi, used: memory=1Gi, limited: memory=1Gi");
    assertThat(NotReadyReason.of(refused, List.of(), NO_EVENTS)).contains(
        "FailedCreate: pods \"int-a-5d9f\" is forbidden: exceeded quota: small, requested: memory=512Mi, used: memory=1Gi, limited: memory=1Gi");

    Deployment stalled = deployment("Progressing", "False", "ProgressDeadlineExceeded",
        "ReplicaSet \"int-a-5d9f\" has timed out progressing.");
    assertThat(NotReadyReason.of(stalled, List.of(), NO_EVENTS))
        .contains("ProgressDeadlineExceeded: ReplicaSet \"int-a-5d9f\" has timed out progressing.");
    // a pod's own trouble says more than the deadline that it caused
    Pod pod = pod("int-a-1", "2026-12-05T08:00:00Z", waiting("ErrImagePull", "manifest unknown"));
    assertThat(NotReadyReason.of(stalled, List.of(pod), NO_EVENTS)).contains("ErrImagePull: manifest unknown");
    assertThat(NotReadyReason.of(PROGRESSING, List.of(), NO_EVENTS)).isEmpty();
  }

  /**
   * A webhook's denial text is its author's (a policy may quote the pod it refuses, env values
   * included) and a pull error may quote a registry's signed URL: the control plane is told which
   * webhook denied, and URLs without their credentials or query.
   */
  @Test
  void aWebhooksTextAndTheCredentialsInURLsAreNotTold() {
    Deployment denied = deployment("ReplicaFailure", "True", "FailedCreate",
        "admission webhook \"validate.kyverno.svc-fail\" denied the request: policy env: HTTPS_PROXY=http://user:pass@proxy:3128");
    assertThat(NotReadyReason.of(denied, List.of(), NO_EVENTS)).contains(
        "FailedCreate: admission webhook \"validate.kyverno.svc-fail\" denied the request (its text is in the Deployment's conditions)");

    Deployment byPolicy = deployment("ReplicaFailure", "True", "FailedCreate", "pods \"int-a-5d9f\" is forbidden:"
        + " ValidatingAdmissionPolicy 'no-proxy' with binding 'all' denied request: env HTTPS_PROXY=http://u:p@proxy");
    assertThat(NotReadyReason.of(byPolicy, List.of(), NO_EVENTS)).contains("FailedCreate: pods \"int-a-5d9f\" is forbidden:"
        + " ValidatingAdmissionPolicy 'no-proxy' with binding 'all' denied request (its text is in the Deployment's conditions)");

    Pod pod = pod("int-a-1", "2026-12-05T08:00:00Z", waiting("ErrImagePull", "failed to do request: Get "
        + "\"https://bucket.s3.amazonaws.com/blobs/sha256:ab?X-Amz-Credential=AKIA123&X-Amz-Signature=f00\": EOF"));
    assertThat(NotReadyReason.of(PROGRESSING, List.of(pod), NO_EVENTS)).contains(
        "ErrImagePull: failed to do request: Get \"https://bucket.s3.amazonaws.com/blobs/sha256:ab?…\": EOF");
    Pod basic = pod("int-a-2", "2026-12-05T08:01:00Z", waiting("ErrImagePull",
        "pull from https://robot:s3cret@registry.example/v2/x failed"));
    assertThat(NotReadyReason.of(PROGRESSING, List.of(basic), NO_EVENTS)).contains(
        "ErrImagePull: pull from https://registry.example/v2/x failed");
  }

  @Test
  void duringARolloutTheNewestPodNotReadyIsTheOneTold() {
    Pod oldReady = readyPod("int-a-old", "2026-12-05T07:00:00Z");
    Pod olderBroken = pod("int-a-2", "2026-12-05T08:00:00Z", waiting("ErrImagePull", "old trouble"));
    Pod newest = pod("int-a-3", "2026-12-05T08:05:00Z", waiting("ImagePullBackOff", "Back-off pulling image \"x:2\""));
    assertThat(NotReadyReason.of(PROGRESSING, List.of(oldReady, olderBroken, newest), NO_EVENTS))
        .contains("ImagePullBackOff: Back-off pulling image \"x:2\"");
    assertThat(NotReadyReason.of(PROGRESSING, List.of(oldReady), NO_EVENTS)).isEmpty();
  }

  /**
   * Mid-rollout an old pod being deleted is no longer ready (its runtime stops taking requests) while
   * the new pods serve: it said "not ready ... a route that could not start" of a healthy rollout.
   */
  @Test
  void aPodBeingDeletedIsNoReason() {
    ContainerStatus stopping = new ContainerStatusBuilder(running()).withStarted(true).withReady(false).build();
    Pod old = new PodBuilder(pod("int-a-old", "2026-12-05T07:00:00Z", stopping)).editMetadata()
        .withDeletionTimestamp("2026-12-05T09:00:00Z").endMetadata().build();
    Pod crashing = new PodBuilder(pod("int-a-gone", "2026-12-05T07:00:00Z", waiting("CrashLoopBackOff", null)))
        .editMetadata().withDeletionTimestamp("2026-12-05T09:00:00Z").endMetadata().build();
    Pod serving = readyPod("int-a-new", "2026-12-05T08:59:00Z");
    assertThat(NotReadyReason.of(PROGRESSING, List.of(old, crashing, serving), NO_EVENTS,
        java.time.Instant.parse("2026-12-05T09:00:05Z"))).isEmpty();
  }

  @Test
  void theReasonIsOneShortLine() {
    Pod pod = pod("int-a-1", "2026-12-05T08:00:00Z", waiting("RunContainerError", "line one\nline two\t" + "x".repeat(400)));
    String reason = NotReadyReason.of(PROGRESSING, List.of(pod), NO_EVENTS).orElseThrow();
    assertThat(reason).startsWith("RunContainerError: line one line two x").hasSize(NotReadyReason.MAX_CHARS).endsWith("…")
        .doesNotContain("\n", "\t");
  }

  static Deployment deployment(String type, String status, String reason, String message) {
    return new DeploymentBuilder().withNewMetadata().withName("int-a").endMetadata()
        .withNewStatus().withConditions(new DeploymentConditionBuilder().withType(type).withStatus(status)
            .withReason(reason).withMessage(message).build()).endStatus()
        .build();
  }
}
