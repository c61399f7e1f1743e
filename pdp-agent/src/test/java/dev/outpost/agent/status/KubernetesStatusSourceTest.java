package dev.outpost.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.TestPods;
import dev.outpost.agent.TestStates;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesNames;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.Status;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesStatusSourceTest {
  static final String NS = "outpost";
  KubernetesClient client;
  KubernetesMockServer server;

  @Test
  void derivesPhasesFromDeploymentStatus() throws Exception {
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    for (String name : List.of("ready", "rolling", "stuck", "old-pods-ready")) {
      target.putIntegration(TestStates.integration(name, "v3"));
    }
    var deployments = client.apps().deployments().inNamespace(NS);
    rolledOutAndReady("int-ready");
    // a rollout: the old version's pod is ready and kept (maxUnavailable 0), the new one is not ready
    deployments.withName("int-old-pods-ready").editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
      d.getStatus().setReadyReplicas(1);
      d.getStatus().setUpdatedReplicas(1);
      d.getStatus().setReplicas(2);
      d.getStatus().setObservedGeneration(d.getMetadata().getGeneration());
      return d;
    });
    deployments.withName("int-stuck").editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
      d.getStatus().setConditions(List.of(new DeploymentConditionBuilder().withType("Progressing")
          .withStatus("False").withReason("ProgressDeadlineExceeded").build()));
      return d;
    });

    KubernetesStatusSource source = new KubernetesStatusSource(client, NS, Optional.empty());
    assertThat(source.integrations().integrations()).containsExactlyInAnyOrder(
        new ObservedIntegration("ready", "v3", "Ready", 1, 1, null),
        new ObservedIntegration("rolling", "v3", "Deploying", 0, 1, null),
        new ObservedIntegration("stuck", "v3", "Failed", 0, 1, "ProgressDeadlineExceeded"),
        new ObservedIntegration("old-pods-ready", "v3", "Deploying", 1, 1, null));
    assertThat(source.routes()).isEqualTo(RoutesStatus.UNKNOWN);
  }

  /**
   * An integration whose pod cannot mount a Secret it declares, and one whose image cannot be
   * pulled: each status says why, from the pods and the kubelet's volume warning the API server
   * holds; a pod of another integration and another pod's warning are not mixed in.
   */
  @Test
  void tellsWhyAnIntegrationsPodsDoNotServe() throws Exception {
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    for (String name : List.of("no-secret", "no-image", "fine")) {
      target.putIntegration(TestStates.integration(name, "v1"));
    }
    rolledOutAndReady("int-fine");
    createPod("int-no-secret-7c9d-x1", "no-secret", TestPods.waiting("ContainerCreating", null));
    createPod("int-no-image-6b8e-y2", "no-image",
        TestPods.waiting("ImagePullBackOff", "Back-off pulling image \"img:1\""));
    createEvent("e1", "int-no-secret-7c9d-x1", "FailedMount", "2026-12-05T08:00:10Z",
        "MountVolume.SetUp failed for volume \"secret-0\" : secret \"db\" not found");
    createEvent("e2", "int-no-secret-7c9d-x1", "FailedMount", "2026-12-05T08:02:10Z",
        "MountVolume.SetUp failed for volume \"secret-0\" : secret \"db-credentials\" not found");
    createEvent("e3", "int-other-pod", "FailedMount", "2026-12-05T08:03:10Z", "not this pod's");
    createEvent("e4", "int-no-secret-7c9d-x1", "Scheduled", "2026-12-05T08:04:10Z", "Successfully assigned");

    KubernetesStatusSource source = new KubernetesStatusSource(client, NS, Optional.empty());
    assertThat(source.integrations().integrations()).containsExactlyInAnyOrder(
        new ObservedIntegration("no-secret", "v1", "Deploying", 0, 1,
            "FailedMount: MountVolume.SetUp failed for volume \"secret-0\" : secret \"db-credentials\" not found"),
        new ObservedIntegration("no-image", "v1", "Deploying", 0, 1, "ImagePullBackOff: Back-off pulling image \"img:1\""),
        new ObservedIntegration("fine", "v1", "Ready", 1, 1, null));
  }

  /**
   * A probe's failure is the integration's own answer (an exec probe's output, a body the kubelet
   * quotes) and the kubelet files it as an Unhealthy warning on the pod, beside the volume warnings
   * that are read: none of its text reaches the status, even as a pod's newest warning. A pod up and
   * not ready is told with the fixed reason instead.
   */
  @Test
  void aProbesOutputInThePodsEventsNeverReachesTheStatus() throws Exception {
    String canary = "CANARY-" + UUID.randomUUID();
    String probeFailed = "Readiness probe failed: HTTP probe failed with statuscode: 500 body: {\"error\":\"" + canary + "\"}";
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    for (String name : List.of("not-ready", "creating", "no-secret")) {
      target.putIntegration(TestStates.integration(name, "v1"));
    }
    // running past the readiness grace, its startup probe passed, its readiness probe failing
    String startedAt = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS).toString();
    createPod("int-not-ready-5f7c-a1", "not-ready", new ContainerStatusBuilder().withName("integration")
        .withStarted(true).withReady(false)
        .withNewState().withNewRunning().withStartedAt(startedAt).endRunning().endState().build());
    createPod("int-creating-5f7c-b2", "creating", TestPods.waiting("ContainerCreating", null));
    createPod("int-no-secret-5f7c-c3", "no-secret", TestPods.waiting("ContainerCreating", null));
    createEvent("e1", "int-not-ready-5f7c-a1", "Unhealthy", "2026-12-05T08:05:00Z", probeFailed);
    // a pod still starting is explained by its volume warnings: not by the probe's, alone or newer than one
    createEvent("e2", "int-creating-5f7c-b2", "Unhealthy", "2026-12-05T08:05:00Z", probeFailed);
    createEvent("e3", "int-no-secret-5f7c-c3", "FailedMount", "2026-12-05T08:01:00Z",
        "MountVolume.SetUp failed for volume \"secret-0\" : secret \"db-credentials\" not found");
    createEvent("e4", "int-no-secret-5f7c-c3", "Unhealthy", "2026-12-05T08:05:00Z", probeFailed);

    KubernetesStatusSource source = new KubernetesStatusSource(client, NS, Optional.empty());
    List<ObservedIntegration> observed = source.integrations().integrations();
    assertThat(observed).extracting(ObservedIntegration::message).noneMatch(m -> m != null && m.contains(canary));
    assertThat(observed).containsExactlyInAnyOrder(
        new ObservedIntegration("not-ready", "v1", "Deploying", 0, 1, NotReadyReason.NOT_READY),
        new ObservedIntegration("creating", "v1", "Deploying", 0, 1, null),
        new ObservedIntegration("no-secret", "v1", "Deploying", 0, 1,
            "FailedMount: MountVolume.SetUp failed for volume \"secret-0\" : secret \"db-credentials\" not found"));
    // nor in the frame the control plane gets
    Status status = new StatusReporter(TestStates.DATA_PLANE, source, Clock.systemUTC())
        .observe(TestStates.state(1, "not-ready", "creating", "no-secret"), 1, 1);
    assertThat(ProtocolCodec.encode(status)).doesNotContain(canary).doesNotContain("probe failed");
  }

  /**
   * Events that cannot be listed (a timeout, a Role that predates the grant) leave the reason out,
   * never the phase and counts the Deployment gives: before, one failed list reported every
   * integration Pending with none ready.
   */
  @Test
  void eventsThatCannotBeReadLeaveTheReasonOutNotThePhase() throws Exception {
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    target.putIntegration(TestStates.integration("waits", "v1"));
    createPod("int-waits-7c9d-x1", "waits", TestPods.waiting("ContainerCreating", null));
    server.expect().get().withPath("/api/v1/namespaces/" + NS + "/events").andReturn(403, "events is forbidden").always();

    assertThat(new KubernetesStatusSource(client, NS, Optional.empty()).integrations().integrations())
        .containsExactly(new ObservedIntegration("waits", "v1", "Deploying", 0, 1, null));
  }

  /** A list the API server refuses is status unknown, said so: not every integration silently Pending. */
  @Test
  void deploymentsThatCannotBeListedAreReportedUnknownWithTheApiServersCode() {
    server.expect().get().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments?labelSelector="
        + java.net.URLEncoder.encode(KubernetesNames.MANAGED_BY + "=" + KubernetesNames.AGENT + "," + KubernetesNames.INTEGRATION_LABEL,
            java.nio.charset.StandardCharsets.UTF_8)).andReturn(403, "deployments is forbidden").always();

    assertThat(new KubernetesStatusSource(client, NS, Optional.empty()).integrations()).isEqualTo(
        IntegrationsSeen.unreadable("Pending", "status unknown: the agent cannot list Deployments (the API server answered 403)"));
  }

  /**
   * A version rolled out, then every pod of it stopped serving (a crash loop after a reschedule):
   * Kubernetes' progress deadline never fires after a completed rollout (Progressing stays
   * NewReplicaSetAvailable, only Available goes False), so it was Deploying for ever. Failed once
   * the agent has seen it so for the Deployment's progress deadline, on its own monotonic clock
   * (not the condition's lastTransitionTime, another node's); back as soon as a pod serves again.
   */
  @Test
  void aRolledOutIntegrationThatServesFromNoPodForItsProgressDeadlineIsFailed() throws Exception {
    AtomicLong nanos = new AtomicLong(-5_000_000_000L);
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    target.putIntegration(TestStates.integration("orders", "v2"));
    target.putIntegration(TestStates.integration("quick", "v2"));
    target.putIntegration(TestStates.integration("no-pod", "v2"));
    servesFromNoPod("int-no-pod");
    client.apps().deployments().inNamespace(NS).withName("int-quick")
        .edit(d -> { d.getSpec().setProgressDeadlineSeconds(120); return d; });
    String crashLoop = "CrashLoopBackOff: the container last ended OOMKilled (exit code 137)";
    for (String name : List.of("orders", "quick")) {
      servesFromNoPod("int-" + name);
      createPod("int-" + name + "-7c9d-x1", name, new ContainerStatusBuilder(TestPods.waiting("CrashLoopBackOff",
          "back-off 5m0s restarting failed container")).withNewLastState().withNewTerminated().withReason("OOMKilled")
          .withExitCode(137).endTerminated().endLastState().build());
    }
    KubernetesStatusSource source = new KubernetesStatusSource(client, NS, Optional.empty(), nanos::get);

    assertThat(source.integrations().integrations()).as("first seen, though Available went False an hour ago")
        .containsExactlyInAnyOrder(new ObservedIntegration("orders", "v2", "Deploying", 0, 1, crashLoop),
            new ObservedIntegration("quick", "v2", "Deploying", 0, 1, crashLoop),
            new ObservedIntegration("no-pod", "v2", "Deploying", 0, 1, null));
    nanos.addAndGet(Duration.ofSeconds(120).toNanos());
    assertThat(source.integrations().integrations()).as("the progress deadline of int-quick")
        .containsExactlyInAnyOrder(new ObservedIntegration("orders", "v2", "Deploying", 0, 1, crashLoop),
            new ObservedIntegration("quick", "v2", "Failed", 0, 1, crashLoop),
            new ObservedIntegration("no-pod", "v2", "Deploying", 0, 1, null));
    nanos.addAndGet(Duration.ofSeconds(479).toNanos());
    assertThat(source.integrations().integrations()).filteredOn(o -> !o.name().equals("quick"))
        .extracting(ObservedIntegration::phase).containsExactly("Deploying", "Deploying");
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(source.integrations().integrations()).as("the default deadline, 600 s; without a pod, in the Deployment's words")
        .filteredOn(o -> !o.name().equals("quick")).containsExactlyInAnyOrder(
            new ObservedIntegration("orders", "v2", "Failed", 0, 1, crashLoop),
            new ObservedIntegration("no-pod", "v2", "Failed", 0, 1,
                "MinimumReplicasUnavailable: Deployment does not have minimum availability."));

    rolledOutAndReady("int-orders");
    assertThat(source.integrations().integrations()).filteredOn(o -> o.name().equals("orders"))
        .containsExactly(new ObservedIntegration("orders", "v2", "Ready", 1, 1, null));
    servesFromNoPod("int-orders");
    assertThat(source.integrations().integrations()).as("timed again from when it stopped again")
        .filteredOn(o -> o.name().equals("orders")).extracting(ObservedIntegration::phase).containsExactly("Deploying");
  }

  /**
   * The time out of service was kept by integration name for the agent's life: a Deployment deleted
   * and created again (kubectl delete deploy, put back by the agent) inherited the old one's start,
   * and was Failed while its new pods started. Timed per Deployment (its uid).
   */
  @Test
  void aDeploymentCreatedAgainIsTimedFromWhenItWasFirstSeenOutOfService() throws Exception {
    AtomicLong nanos = new AtomicLong(-5_000_000_000L);
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    KubernetesStatusSource source = ordersSeenOutOfService(target, nanos);
    nanos.addAndGet(Duration.ofSeconds(590).toNanos());

    client.apps().deployments().inNamespace(NS).withName("int-orders").delete();
    target.putIntegration(TestStates.integration("orders", "v2")); // the agent's drift correction
    servesFromNoPod("int-orders"); // its new pod starting
    nanos.addAndGet(Duration.ofSeconds(20).toNanos());

    assertThat(phaseOfOrders(source)).as("20 s after the new Deployment was first seen").isEqualTo("Deploying");
    nanos.addAndGet(Duration.ofSeconds(600).toNanos());
    assertThat(phaseOfOrders(source)).as("its own deadline after it was first seen").isEqualTo("Failed");
  }

  /**
   * A replica that stops leading stops looking: once it leads again, an integration it saw out of
   * service before may have served meanwhile and stopped again only now. Timed anew when it starts
   * applying again.
   */
  @Test
  void outagesSeenBeforeThisAgentStartedApplyingAgainAreTimedAnew() throws Exception {
    AtomicLong nanos = new AtomicLong(-5_000_000_000L);
    KubernetesStatusSource source = ordersSeenOutOfService(
        new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent")), nanos);

    source.forgetTimings(); // the Lease lost, and won again an hour later
    nanos.addAndGet(Duration.ofHours(1).toNanos());

    assertThat(phaseOfOrders(source)).as("first seen out of service now").isEqualTo("Deploying");
  }

  /** Integration orders written by {@code target}, serving from no pod, seen so by a status source timed on {@code nanos}. */
  private KubernetesStatusSource ordersSeenOutOfService(KubernetesTarget target, AtomicLong nanos) throws Exception {
    target.putIntegration(TestStates.integration("orders", "v2"));
    servesFromNoPod("int-orders");
    KubernetesStatusSource source = new KubernetesStatusSource(client, NS, Optional.empty(), nanos::get);
    assertThat(phaseOfOrders(source)).isEqualTo("Deploying");
    return source;
  }

  private static String phaseOfOrders(KubernetesStatusSource source) {
    return source.integrations().integrations().stream().filter(o -> o.name().equals("orders")).findFirst()
        .orElseThrow().phase();
  }

  /**
   * What the Deployment controller writes when the rolled-out version's only pod stops serving: its
   * rollout complete (Progressing NewReplicaSetAvailable), not Available since an hour ago by the
   * API server's clock.
   */
  private void servesFromNoPod(String deployment) {
    String anHourAgo = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toString();
    client.apps().deployments().inNamespace(NS).withName(deployment).editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
      d.getStatus().setUpdatedReplicas(1);
      d.getStatus().setReplicas(1);
      d.getStatus().setUnavailableReplicas(1);
      d.getStatus().setObservedGeneration(d.getMetadata().getGeneration());
      d.getStatus().setConditions(List.of(
          new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
              .withReason("NewReplicaSetAvailable").withMessage("ReplicaSet \"" + deployment + "-7c9d\" has successfully progressed.")
              .withLastTransitionTime(anHourAgo).build(),
          new DeploymentConditionBuilder().withType("Available").withStatus("False")
              .withReason("MinimumReplicasUnavailable").withMessage("Deployment does not have minimum availability.")
              .withLastTransitionTime(anHourAgo).build()));
      return d;
    });
  }

  /** What the Deployment controller writes once every pod of the current template is ready. */
  private void rolledOutAndReady(String deployment) {
    client.apps().deployments().inNamespace(NS).withName(deployment).editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
      d.getStatus().setReadyReplicas(1);
      d.getStatus().setUpdatedReplicas(1);
      d.getStatus().setReplicas(1);
      d.getStatus().setObservedGeneration(d.getMetadata().getGeneration());
      return d;
    });
  }

  private void createPod(String name, String integration, io.fabric8.kubernetes.api.model.ContainerStatus container) {
    var pod = TestPods.pod(name, "2026-12-05T08:00:00Z", container);
    pod.getMetadata().setNamespace(NS);
    pod.getMetadata().setLabels(java.util.Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT,
        KubernetesNames.INTEGRATION_LABEL, integration));
    client.pods().inNamespace(NS).resource(pod).create();
    client.pods().inNamespace(NS).withName(name).editStatus(p -> {
      p.setStatus(pod.getStatus());
      return p;
    });
  }

  private void createEvent(String name, String pod, String reason, String lastSeen, String message) {
    client.v1().events().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.EventBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewInvolvedObject().withKind("Pod").withName(pod).withNamespace(NS).endInvolvedObject()
        .withType("Warning").withReason(reason).withMessage(message).withLastTimestamp(lastSeen).build()).create();
  }
}
