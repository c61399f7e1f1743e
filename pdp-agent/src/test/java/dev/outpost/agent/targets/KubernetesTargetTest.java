package dev.outpost.agent.targets;

import static dev.outpost.agent.TestStates.integration;
import static dev.outpost.agent.TestStates.withSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.TestStates;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.SecretRef;
import dev.outpost.spec.model.Telemetry;
import dev.outpost.spec.state.StateCodec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesTargetTest {
  static final String NS = "outpost";
  KubernetesMockServer server;
  KubernetesClient client;
  KubernetesTarget target;

  @BeforeEach
  void setUp() {
    target = new KubernetesTarget(client, config());
  }

  static KubernetesTargetConfig config() {
    return KubernetesTargetConfig.of(NS, "ghcr.io/outpost/integration-runtime:0.1.0", "IfNotPresent");
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(e -> e.getValue()).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in the runtime container"));
  }

  private static long seconds(String duration) {
    assertThat(duration).matches("[0-9]+s");
    return Long.parseLong(duration.substring(0, duration.length() - 1));
  }

  Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + name).get();
  }

  /** The document ConfigMap the integration's Deployment mounts. */
  ConfigMap document(String name) {
    return client.configMaps().inNamespace(NS).withName(IntegrationObjects.documentConfigMapOf(deployment(name))).get();
  }

  /** The names of every ConfigMap the agent keeps for the integration. */
  List<String> documents(String name) {
    return client.configMaps().inNamespace(NS).withLabel("outpost.dev/integration", name).list().getItems().stream()
        .map(c -> c.getMetadata().getName()).sorted().toList();
  }

  @Test
  void runsAnIntegrationAsConfigMapDeploymentAndServiceUnderTheRestrictedProfile() throws Exception {
    assertThat(target.putIntegration(withSecret(integration("orders"), "crm", "token"))).isTrue();

    ConfigMap cm = document("orders");
    assertThat(cm.getMetadata().getName()).matches("int-orders-[0-9a-f]{10}");
    assertThat(cm.getImmutable()).as("what a pod mounts never changes under it").isTrue();
    assertThat(cm.getData().get("orders.json")).contains("platform-http:/orders");
    assertThat(cm.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "outpost-agent");

    Deployment d = deployment("orders");
    assertThat(d.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "outpost-agent")
        .containsEntry("outpost.dev/integration", "orders")
        .containsEntry("outpost.dev/project", "shop");
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .as("a version that cannot start stops no running pod").isZero();
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("ghcr.io/outpost/integration-runtime:0.1.0");
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("100m");
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("256Mi");
    assertThat(c.getVolumeMounts()).extracting("mountPath")
        .contains("/etc/outpost/integrations/orders.json", "/etc/outpost/secrets/crm");
    // by subPath, so the kubelet never puts the next version into this pod: a next version that fails
    // to start must leave the running pods serving this one, not make them all unready
    assertThat(c.getVolumeMounts()).filteredOn(m -> m.getMountPath().startsWith("/etc/outpost/integrations"))
        .singleElement().satisfies(m -> assertThat(m.getSubPath()).isEqualTo("orders.json"));
    // the declared key only: the whole Secret gave the integration every other key of it too
    assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null && "crm".equals(v.getSecret().getSecretName()))
        .singleElement().satisfies(v -> assertThat(v.getSecret().getItems()).extracting("key", "path")
            .containsExactly(org.assertj.core.groups.Tuple.tuple("token", "token")));
    // the only writable path under a read-only root, and bounded so a runaway integration cannot fill the node's disk
    assertThat(c.getVolumeMounts()).filteredOn(m -> !Boolean.TRUE.equals(m.getReadOnly())).extracting("mountPath").containsExactly("/tmp");
    assertThat(pod.getVolumes()).filteredOn(v -> v.getEmptyDir() != null).singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("256Mi")));

    Service s = client.services().inNamespace(NS).withName("int-orders").get();
    assertThat(s.getSpec().getPorts().get(0).getPort()).isEqualTo(80);
    assertThat(s.getSpec().getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(8080);
    assertThat(s.getSpec().getSelector()).containsEntry("outpost.dev/integration", "orders");

    // the runtime listens where the Service sends: its own default port is 8081, so the pod says 8080
    assertThat(env(c, "QUARKUS_HTTP_PORT")).isEqualTo(Integer.toString(s.getSpec().getPorts().get(0).getTargetPort().getIntVal()));
    assertThat(c.getPorts()).extracting("name", "containerPort").contains(
        org.assertj.core.groups.Tuple.tuple("http", 8080), org.assertj.core.groups.Tuple.tuple("management", 9001));
    assertThat(env(c, "QUARKUS_MANAGEMENT_PORT")).isEqualTo("9001");
    // traffic only once the integration is applied, and a slow start is not a dead pod
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
    assertThat(env(c, "OUTPOST_RUNTIME_READY_REQUIRES_EVERY_INTEGRATION")).as("a failed version is not ready").isEqualTo("true");
    // a graceful stop that ends before the kubelet's SIGKILL
    long delay = seconds(env(c, "QUARKUS_SHUTDOWN_DELAY"));
    long drain = seconds(env(c, "QUARKUS_SHUTDOWN_TIMEOUT"));
    assertThat(delay).isPositive();
    assertThat(drain).isPositive();
    assertThat(delay + drain).isLessThan(pod.getTerminationGracePeriodSeconds());
    // Camel's stop after the drain, its second at least included: the whole stop, inside the grace period
    long stopWithin = seconds(env(c, "OUTPOST_RUNTIME_STOP_WITHIN"));
    assertThat(stopWithin).isGreaterThanOrEqualTo(delay + drain + 1).isLessThan(pod.getTerminationGracePeriodSeconds());
  }

  /**
   * One pod of an integration down at a time in a node drain: its budget selects exactly the pods
   * its Deployment makes, and lets one go (one replica can still be evicted: a drain never hangs).
   */
  @Test
  void eachIntegrationHasADisruptionBudgetOverItsOwnPods() throws Exception {
    target.putIntegration(integration("orders"));
    target.putIntegration(integration("billing"));
    var budget = client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("int-orders").get();
    assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getMinAvailable()).isNull();
    assertThat(budget.getSpec().getSelector().getMatchLabels())
        .isEqualTo(deployment("orders").getSpec().getSelector().getMatchLabels())
        .isNotEqualTo(deployment("billing").getSpec().getSelector().getMatchLabels());
    assertThat(deployment("orders").getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
    assertThat(budget.getMetadata().getLabels()).containsEntry(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT);

    // changed by someone (a budget of 0 would hang every drain of its nodes): put back
    budget.getSpec().setMaxUnavailable(new io.fabric8.kubernetes.api.model.IntOrString(0));
    client.resource(budget).update();
    target.refresh();
    assertThat(target.putIntegration(integration("orders"))).isTrue();
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("int-orders").get().getSpec()
        .getMaxUnavailable().getIntVal()).isEqualTo(1);
  }

  @Test
  void puttingTheSameIntegrationAgainWritesNothing() throws Exception {
    target.putIntegration(integration("orders"));
    String version = deployment("orders").getMetadata().getResourceVersion();
    assertThat(target.putIntegration(integration("orders"))).isFalse();
    assertThat(deployment("orders").getMetadata().getResourceVersion()).isEqualTo(version);

    assertThat(target.putIntegration(integration("orders", "v2"))).isTrue();
    assertThat(document("orders").getData().get("orders.json")).contains("\"version\" : \"v2\"");
  }

  /** Scaling is the Deployment's replica count alone: the pods, their template and their document stay. */
  @Test
  void changingOnlyTheReplicasScalesWithoutReplacingThePods() throws Exception {
    target.putIntegration(integration("orders"));
    String documentName = document("orders").getMetadata().getName();
    var template = deployment("orders").getSpec().getTemplate();
    Integration three = new Integration("orders", "shop", "v1", integration("orders").source(),
        integration("orders").config(), List.of(), 3, integration("orders").resources());

    assertThat(target.putIntegration(three)).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment("orders").getSpec().getTemplate()).isEqualTo(template);
    assertThat(document("orders").getMetadata().getName()).isEqualTo(documentName);
  }

  /** {@code kubectl rollout restart} stays: the update that scales keeps it, so no pod is replaced. */
  @Test
  void anOperatorsRolloutRestartSurvivesTheAgentsNextWrite() throws Exception {
    target.putIntegration(integration("orders"));
    client.apps().deployments().inNamespace(NS).withName("int-orders").edit(d -> {
      d.getSpec().getTemplate().getMetadata().getAnnotations().put(ObjectApplier.RESTARTED_AT, "2026-12-06T04:00:00Z");
      return d;
    });
    var restarted = deployment("orders").getSpec().getTemplate();
    Integration three = new Integration("orders", "shop", "v1", integration("orders").source(),
        integration("orders").config(), List.of(), 3, integration("orders").resources());

    assertThat(target.putIntegration(three)).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment("orders").getSpec().getTemplate()).as("the pods stay").isEqualTo(restarted);
  }

  @Test
  void correctsDriftOfWhatItWrote() throws Exception {
    target.putIntegration(integration("orders"));
    client.apps().deployments().inNamespace(NS).withName("int-orders")
        .edit(d -> { d.getSpec().setReplicas(7); d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("evil:latest"); return d; });
    // the document cannot be edited (immutable), only deleted
    client.configMaps().inNamespace(NS).withName(document("orders").getMetadata().getName()).delete();

    assertThat(target.putIntegration(integration("orders"))).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment("orders").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .startsWith("ghcr.io/outpost/");
    assertThat(document("orders").getData().get("orders.json")).contains("platform-http:/orders");
    // operators see what was put back, by field, never by value
    assertThat(driftEvents()).singleElement().satisfies(e -> {
      assertThat(e.getInvolvedObject().getKind()).isEqualTo("Deployment");
      assertThat(e.getInvolvedObject().getName()).isEqualTo("int-orders");
      assertThat(e.getInvolvedObject().getUid()).isEqualTo(deployment("orders").getMetadata().getUid());
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getSource().getComponent()).isEqualTo("outpost-agent");
      assertThat(e.getMessage()).isEqualTo("put back spec.replicas, changed outside the agent").doesNotContain("evil");
    });
  }

  /** A new desired state is not drift: no event, though everything is written again. */
  @Test
  void writingANewVersionRecordsNoDriftEvent() throws Exception {
    target.putIntegration(integration("orders"));
    Integration next = new Integration("orders", "shop", "v2", integration("orders").source(),
        integration("orders").config(), List.of(), 2, integration("orders").resources());

    assertThat(target.putIntegration(next)).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(2);
    assertThat(driftEvents()).isEmpty();
  }

  List<io.fabric8.kubernetes.api.model.Event> driftEvents() {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> e.getReason().equals(DriftEvents.REASON)).toList();
  }

  @Test
  void anObjectAsTheApiServerStoresItIsNotWrittenAgain() throws Exception {
    Integration asked = new Integration("orders", "shop", "v1", integration("orders").source(), Map.of(), List.of(), 1,
        new dev.outpost.spec.model.Resources("0.5", "0.5Gi", null, null));
    assertThat(target.putIntegration(asked)).isTrue();
    // what a real API server keeps: quantities in canonical form, no false it would omit
    Deployment stored = deployment("orders");
    var container = stored.getSpec().getTemplate().getSpec().getContainers().get(0);
    container.getResources().setRequests(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("512Mi")));
    assertThat(container.getVolumeMounts()).extracting(m -> m.getReadOnly()).as("no false to omit").doesNotContain(false);
    client.resource(stored).update();
    String version = deployment("orders").getMetadata().getResourceVersion();
    target.refresh();
    assertThat(target.putIntegration(asked)).as("nothing to change").isFalse();
    assertThat(deployment("orders").getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void replicasAnOperatorLeftToAnAutoscalerAreNotPutBack() throws Exception {
    target.putIntegration(integration("orders"));
    // an HPA scales it; the operator marks the Deployment so
    Deployment scaled = deployment("orders");
    scaled.getSpec().setReplicas(5);
    scaled.getMetadata().getAnnotations().put(ObjectApplier.EXTERNAL_REPLICAS, "external");
    client.resource(scaled).update();
    target.refresh();
    assertThat(target.putIntegration(integration("orders"))).as("nothing of the agent's changed").isFalse();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(5);

    // a new version is rolled out, at the autoscaler's count, and the mark stays
    assertThat(target.putIntegration(integration("orders", "v2"))).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(5);
    assertThat(deployment("orders").getMetadata().getAnnotations())
        .containsEntry(ObjectApplier.EXTERNAL_REPLICAS, "external").containsEntry("outpost.dev/version", "v2");

    // without the mark, the state's count is put back
    Deployment unmarked = deployment("orders");
    unmarked.getMetadata().getAnnotations().remove(ObjectApplier.EXTERNAL_REPLICAS);
    client.resource(unmarked).update();
    target.refresh();
    assertThat(target.putIntegration(integration("orders", "v2"))).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(1);
  }

  /**
   * A Deployment a HorizontalPodAutoscaler scales keeps the autoscaler's count without the operator's
   * mark: one deleted by hand and created again no longer had it, and the agent and the autoscaler
   * fought over the count.
   */
  @Test
  void replicasAHorizontalPodAutoscalerSetsAreNotPutBack() throws Exception {
    target.putIntegration(integration("orders"));
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).resource(
        new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder()
            .withNewMetadata().withName("orders").withNamespace(NS).endMetadata()
            .withNewSpec().withMinReplicas(2).withMaxReplicas(10)
            .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName("int-orders").endScaleTargetRef()
            .endSpec().build()).create();
    Deployment scaled = deployment("orders");
    scaled.getSpec().setReplicas(6);
    client.resource(scaled).update();
    target.refresh();

    assertThat(target.putIntegration(integration("orders"))).as("nothing of the agent's changed").isFalse();
    assertThat(target.putIntegration(integration("orders", "v2"))).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).as("rolled out at the autoscaler's count").isEqualTo(6);
    assertThat(deployment("orders").getMetadata().getAnnotations()).doesNotContainKey(ObjectApplier.EXTERNAL_REPLICAS);
    assertThat(driftEvents()).isEmpty();

    // the state's 0 stops it, and its 1 starts it again: an autoscaler leaves a Deployment at 0 alone
    Integration stopped = new Integration("orders", "shop", "v2", integration("orders").source(),
        integration("orders").config(), List.of(), 0, integration("orders").resources());
    assertThat(target.putIntegration(stopped)).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isZero();
    target.refresh();
    assertThat(target.putIntegration(integration("orders", "v2"))).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(1);
    scaled = deployment("orders");
    scaled.getSpec().setReplicas(6);
    client.resource(scaled).update();
    target.refresh();
    assertThat(target.putIntegration(integration("orders", "v2"))).isFalse();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(6);

    // the autoscaler gone, the state's count is put back
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName("orders").delete();
    target.refresh();
    assertThat(target.putIntegration(integration("orders", "v2"))).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void aPassThatChangesNothingOnlyLists() throws Exception {
    dev.outpost.agent.reconcile.Reconciler reconciler =
        new dev.outpost.agent.reconcile.Reconciler(target, java.time.Clock.systemUTC());
    assertThat(reconciler.reconcile(TestStates.state(1, "a", "b")).changes()).isEqualTo(4);
    int before = server.getRequestCount();
    var again = reconciler.reconcile(TestStates.state(1, "a", "b"));
    assertThat(again.succeeded()).isTrue();
    assertThat(again.changes()).isZero();
    assertThat(server.getRequestCount() - before)
        .as("four list calls, a read of the namespace's claim and a list of the autoscalers").isEqualTo(6);
  }

  @Test
  void aListThatWentStaleCostsOneConflictAndNothingElse() throws Exception {
    target.putIntegration(integration("orders"));
    target.refresh();
    var behind = deployment("orders");
    behind.getSpec().setReplicas(4);
    client.resource(behind).update(); // someone writes after the list
    assertThat(target.putIntegration(integration("orders", "v2"))).isTrue();
    assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment("orders").getMetadata().getAnnotations()).containsEntry("outpost.dev/version", "v2");
  }

  @Test
  void retriesAnUpdateThatLostARace() throws Exception {
    target.putIntegration(integration("orders"));
    server.expect().put().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments/int-orders")
        .andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict").withMessage("the object has been modified").build())
        .once();
    assertThat(target.putIntegration(integration("orders", "v2"))).isTrue();
    assertThat(deployment("orders").getSpec().getTemplate().getMetadata().getAnnotations())
        .containsKey(IntegrationObjects.DOCUMENT_HASH);
    assertThat(document("orders").getData().get("orders.json")).contains("v2");
  }

  @Test
  void givesUpOnAConflictThatNeverEnds() throws Exception {
    target.putIntegration(integration("orders"));
    server.expect().put().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments/int-orders")
        .andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict").withMessage("the object has been modified").build())
        .always();
    assertThatThrownBy(() -> target.putIntegration(integration("orders", "v2")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("Deployment int-orders").hasMessageContaining("409");
  }

  @Test
  void reportsAnyOtherApiErrorNamingTheObjectButNotItsMessage() {
    // an admission webhook may quote the object it denies: the integration's source and config
    server.expect().post().withPath("/api/v1/namespaces/" + NS + "/configmaps")
        .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
            .withMessage("admission webhook denied: data={orders.json: hello from orders, greeting: hi}").build())
        .once();
    assertThatThrownBy(() -> target.putIntegration(integration("orders")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("ConfigMap int-orders").hasMessageContaining("403 Forbidden")
        .hasMessageNotContaining("hello from orders").hasMessageNotContaining("greeting");
  }

  /**
   * A Deployment the API server refuses as invalid (422) says why in Kubernetes' own words: the field
   * and what is wrong with it (its validation names only fields of the agent's own objects). Only
   * "422 Invalid" left the control plane guessing which field of which integration to fix.
   */
  @Test
  void anInvalidObjectIsReportedWithTheFieldsKubernetesRefused() {
    String field = "spec.template.spec.containers[0].resources.requests";
    String why = "Invalid value: \"1Gi\": must be less than or equal to memory limit of 512Mi";
    server.expect().post().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments")
        .andReturn(422, new StatusBuilder().withCode(422).withReason("Invalid")
            .withMessage("Deployment.apps \"int-orders\" is invalid: " + field + ": " + why)
            .withNewDetails().withKind("Deployment").withName("int-orders")
            .addNewCause().withReason("FieldValueInvalid").withField(field).withMessage(why).endCause()
            .endDetails().build())
        .once();
    assertThatThrownBy(() -> target.putIntegration(integration("orders")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("cannot write Deployment int-orders: 422 Invalid")
        .hasMessageContaining(field + ": " + why);
  }

  /**
   * An admission webhook may answer 422 with causes of its own, which may quote the object (an
   * integration's config): only Kubernetes' own validation is passed on.
   */
  @Test
  void aWebhooksCausesAreNotPassedOn() {
    server.expect().post().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments")
        .andReturn(422, new StatusBuilder().withCode(422).withReason("Invalid")
            .withMessage("admission webhook \"policy.example.com\" denied the request: greeting=hi")
            .withNewDetails().addNewCause().withReason("FieldValueInvalid").withField("spec.greeting")
            .withMessage("greeting hi is not allowed").endCause().endDetails().build())
        .once();
    server.expect().post().withPath("/api/v1/namespaces/" + NS + "/services")
        .andReturn(422, new StatusBuilder().withCode(422).withReason("Invalid").withMessage("denied")
            .withNewDetails().addNewCause().withReason("NoGreetings").withField("spec.greeting")
            .withMessage("greeting hi is not allowed").endCause().endDetails().build())
        .once();
    assertThatThrownBy(() -> target.putIntegration(integration("orders")))
        .hasMessageContaining("Deployment int-orders: 422 Invalid").hasMessageNotContaining("greeting");
    assertThatThrownBy(() -> target.putIntegration(integration("orders")))
        .hasMessageContaining("Service int-orders: 422 Invalid").hasMessageNotContaining("greeting");
  }

  /**
   * A webhook's denial keeps the webhook's own reason, which controller-runtime's admission.Denied and
   * many hand-written webhooks fill with their whole text: only Kubernetes' own reasons are passed on.
   */
  @Test
  void aReasonThatIsNotOneOfKubernetesOwnIsNotPassedOn() {
    server.expect().post().withPath("/api/v1/namespaces/" + NS + "/configmaps")
        .andReturn(403, new StatusBuilder().withCode(403)
            .withReason("data.greeting: Invalid value: \"hi\": no greetings in ConfigMaps").withMessage("denied").build())
        .once();
    assertThatThrownBy(() -> target.putIntegration(integration("orders")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("ConfigMap int-orders").hasMessageContaining("403")
        .hasMessageNotContaining("greeting").hasMessageNotContaining("hi\"");
  }

  @Test
  void neverTakesOverAnObjectItDidNotCreate() throws Exception {
    client.services().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata()
        .withName("int-orders").withAnnotations(Map.of("mine", "yes")).endMetadata().withNewSpec().addNewPort()
        .withPort(9999).endPort().endSpec().build()).create();
    assertThatThrownBy(() -> target.putIntegration(integration("orders")))
        .isInstanceOf(TargetException.class).hasMessageContaining("not labelled");
    target.deleteIntegration("orders");
    assertThat(client.services().inNamespace(NS).withName("int-orders").get().getMetadata().getAnnotations())
        .containsEntry("mine", "yes");
  }

  /**
   * Each version of an integration's document is a ConfigMap of its own: the old pods of a rollout
   * keep theirs, even when they restart or are replaced while the new version does not start, and
   * through further versions pushed meanwhile. With one ConfigMap, a replaced old pod came up with
   * the new, failing version.
   */
  @Test
  void earlierDocumentsStayUntilTheRolloutIsSeenComplete() throws Exception {
    target.putIntegration(integration("orders", "v1"));
    String v1 = document("orders").getMetadata().getName();
    target.putIntegration(integration("orders", "v2"));
    String v2 = document("orders").getMetadata().getName();
    assertThat(v2).isNotEqualTo(v1);
    assertThat(documents("orders")).containsExactlyInAnyOrder(v1, v2);
    assertThat(deployment("orders").getMetadata().getAnnotations()).containsEntry(IntegrationObjects.PREVIOUS_DOCUMENTS, v1);

    // v2 does not start, v1's pods serve on; a fix is pushed as v3
    target.putIntegration(integration("orders", "v3"));
    String v3 = document("orders").getMetadata().getName();
    assertThat(documents("orders")).containsExactlyInAnyOrder(v1, v2, v3);
    target.refresh();
    assertThat(target.putIntegration(integration("orders", "v3"))).as("a resync mid-rollout writes nothing").isFalse();
    assertThat(documents("orders")).containsExactlyInAnyOrder(v1, v2, v3);

    rolledOut("orders");
    target.refresh();
    assertThat(target.putIntegration(integration("orders", "v3"))).isTrue();
    assertThat(documents("orders")).containsExactly(v3);

    assertThat(target.deleteIntegration("orders")).isTrue();
    assertThat(documents("orders")).isEmpty();
  }

  /** The single ConfigMap of older agents is kept while its pods may run, then goes. */
  @Test
  void theConfigMapOfOlderAgentsGoesOnceTheRolloutIsComplete() throws Exception {
    target.putIntegration(integration("orders", "v1"));
    // as an older agent left it: ConfigMap int-orders, mounted by the Deployment
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder(document("orders")).editMetadata().withName("int-orders")
        .withResourceVersion(null).endMetadata().withImmutable(null).build()).create();
    client.apps().deployments().inNamespace(NS).withName("int-orders").edit(d -> {
      d.getSpec().getTemplate().getSpec().getVolumes().get(0).getConfigMap().setName("int-orders");
      return d;
    });
    target.putIntegration(integration("orders", "v1"));
    String v1 = document("orders").getMetadata().getName();
    assertThat(documents("orders")).contains("int-orders", v1);
    rolledOut("orders");
    target.refresh();
    target.putIntegration(integration("orders", "v1"));
    assertThat(documents("orders")).containsExactly(v1);
  }

  /** Removing integration {@code api-0123456789} leaves {@code api}'s document alone, whatever its name. */
  @Test
  void removingAnIntegrationTakesOnlyItsOwnDocuments() throws Exception {
    target.putIntegration(integration("api"));
    String apiDocument = document("api").getMetadata().getName();
    String lookalike = apiDocument.substring("int-".length());
    target.putIntegration(integration(lookalike));
    assertThat(target.deleteIntegration(lookalike)).isTrue();
    assertThat(client.configMaps().inNamespace(NS).withName(apiDocument).get()).isNotNull();
  }

  /** What Kubernetes' Deployment controller reports once every pod runs the current template. */
  private void rolledOut(String name) {
    client.apps().deployments().inNamespace(NS).withName("int-" + name).editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
      d.getStatus().setObservedGeneration(d.getMetadata().getGeneration());
      d.getStatus().setReplicas(d.getSpec().getReplicas());
      d.getStatus().setUpdatedReplicas(d.getSpec().getReplicas());
      d.getStatus().setReadyReplicas(d.getSpec().getReplicas());
      return d;
    });
  }

  @Test
  void aUsersObjectInTheWayIsLeftAloneWhenTheIntegrationGoesAndBlocksNothingAfter() throws Exception {
    // the user's own Deployment int-api: the ConfigMap is written, then the Deployment is refused
    client.apps().deployments().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
        .withNewMetadata().withName("int-api").endMetadata().withNewSpec().withReplicas(2).endSpec().build()).create();
    assertThatThrownBy(() -> target.putIntegration(integration("api"))).hasMessageContaining("not labelled");
    target.refresh();
    assertThat(target.integrations()).contains("api");
    // pruning it (the nack's put-back, or a later state without it) removes the agent's own objects only
    assertThat(target.deleteIntegration("api")).isTrue();
    assertThat(documents("api")).isEmpty();
    assertThat(deployment("api").getSpec().getReplicas()).as("the user's Deployment").isEqualTo(2);
    target.refresh();
    assertThat(target.integrations()).doesNotContain("api");
  }

  @Test
  void inventoryAndDeletionCoverAllThreeObjects() throws Exception {
    target.putIntegration(integration("a"));
    target.putIntegration(integration("b"));
    target.putRoutes(RoutingTable.of(TestStates.state(3, "a", "b")));
    assertThat(target.integrations()).containsExactly("a", "b");

    assertThat(target.deleteIntegration("a")).isTrue();
    assertThat(target.deleteIntegration("a")).isFalse();
    assertThat(target.integrations()).containsExactly("b");
    assertThat(deployment("a")).isNull();
    assertThat(client.services().inNamespace(NS).withName("int-a").get()).isNull();
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("int-a").get()).isNull();
    assertThat(documents("a")).isEmpty();
    assertThat(client.configMaps().inNamespace(NS).withName("outpost-gateway-routes").get()).isNotNull();
  }

  @Test
  void writesTheRetentionObservabilityReadsIntoItsConfigMap() throws Exception {
    assertThat(target.putTelemetry(new Telemetry(14, 30))).isTrue();
    assertThat(target.putTelemetry(new Telemetry(14, 30))).isFalse();
    ConfigMap cm = client.configMaps().inNamespace(NS).withName("outpost-telemetry").get();
    assertThat(StateCodec.readTelemetry(cm.getData().get("telemetry.json"))).isEqualTo(new Telemetry(14, 30));
    assertThat(target.putTelemetry(new Telemetry(3, 30))).isTrue();
    cm = client.configMaps().inNamespace(NS).withName("outpost-telemetry").get();
    assertThat(StateCodec.readTelemetry(cm.getData().get("telemetry.json"))).isEqualTo(new Telemetry(3, 30));
    assertThat(target.integrations()).as("not an integration's object").isEmpty();
  }

  @Test
  void writesTheRoutingTableConfigMapOnceForTheSameTable() throws Exception {
    RoutingTable table = RoutingTable.of(TestStates.state(3, "a"));
    assertThat(target.putRoutes(table)).isTrue();
    assertThat(target.putRoutes(table)).isFalse();
    ConfigMap cm = client.configMaps().inNamespace(NS).withName("outpost-gateway-routes").get();
    assertThat(cm.getData().get("routes.json")).contains("\"revision\" : 3").contains("r-a");
  }

  @Test
  void neverReadsSecrets() throws Exception {
    // the Role grants no get on Secrets other than outpost-agent-applied: a 403 here would fail every apply
    server.expect().get().withPath("/api/v1/namespaces/" + NS + "/secrets/crm")
        .andReturn(403, new StatusBuilder().withCode(403).withMessage("secrets \"crm\" is forbidden").build()).always();
    assertThat(target.missingSecrets(List.of(new SecretRef("crm", "token")))).isEmpty();
    assertThat(target.putIntegration(withSecret(integration("orders"), "crm", "token"))).isTrue();
  }

  @Test
  void followsTheRuntimeTemplateTheChartMounts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("runtime.json");
    java.nio.file.Files.writeString(file, """
        {"image": "registry.example/outpost/integration-runtime:1.2.3", "imagePullPolicy": "Always",
         "imagePullSecrets": [{"name": "regcred"}],
         "resources": {"requests": {"cpu": "50m"}, "limits": {"memory": "300Mi"}},
         "podSecurityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
         "containerSecurityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
           "capabilities": {"drop": ["ALL"]}},
         "podLabels": {"app.kubernetes.io/part-of": "outpost", "outpost.dev/integration": "cannot-override"},
         "secretsMountPath": "/etc/outpost/secrets",
         "otlpEndpoint": "http://obs.outpost.svc:4318",
         "nodeSelector": {"pool": "integrations"},
         "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "integrations", "effect": "NoSchedule"}],
         "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
           {"matchExpressions": [{"key": "spot", "operator": "DoesNotExist"}]}]}}},
         "priorityClassName": "integrations",
         "podAnnotations": {"sidecar.istio.io/inject": "false", "outpost.dev/document-sha256": "cannot-override"}}""");
    KubernetesTarget templated = new KubernetesTarget(client, RuntimeTemplate.read(file, config()));
    dev.outpost.spec.model.Integration bare = new dev.outpost.spec.model.Integration("plain", "shop", "v1",
        "- from:\n    uri: platform-http:/plain\n", Map.of(), List.of(), 2, null);
    templated.putIntegration(bare);

    var pod = deployment("plain").getSpec().getTemplate();
    assertThat(pod.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "outpost")
        .containsEntry("outpost.dev/integration", "plain").containsEntry("app.kubernetes.io/component", "integration");
    assertThat(pod.getSpec().getImagePullSecrets()).extracting("name").containsExactly("regcred");
    assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("registry.example/outpost/integration-runtime:1.2.3");
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("50m");
    assertThat(c.getEnv()).extracting("name").contains("OUTPOST_RUNTIME_INTEGRATIONS_DIR",
        "OUTPOST_RUNTIME_SECRETS_DIR", "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT").doesNotContain("QUARKUS_OTEL_SDK_DISABLED");
    assertThat(deployment("plain").getSpec().getReplicas()).isEqualTo(2);
    // placed where the platform team says, each replica on another node where there are nodes enough
    assertThat(pod.getSpec().getNodeSelector()).containsExactly(Map.entry("pool", "integrations"));
    assertThat(pod.getSpec().getTolerations()).extracting("key", "value", "effect")
        .containsExactly(org.assertj.core.groups.Tuple.tuple("dedicated", "integrations", "NoSchedule"));
    assertThat(pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms().get(0).getMatchExpressions().get(0).getKey()).isEqualTo("spot");
    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("integrations");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("sidecar.istio.io/inject", "false")
        .doesNotContainValue("cannot-override");
    assertThat(pod.getSpec().getTopologySpreadConstraints()).singleElement().satisfies(spread -> {
      assertThat(spread.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(spread.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
      assertThat(spread.getLabelSelector().getMatchLabels()).containsEntry("outpost.dev/integration", "plain");
    });
    templated.refresh();
    assertThat(templated.putIntegration(bare)).as("written once, then held").isFalse();
  }

  /**
   * A setting taken out of the chart's runtime values is taken off the integrations' pods: the drift
   * check asks only whether the live object has what is desired, and a label or pull secret no longer
   * desired stayed on every pod until the integration's next version.
   */
  @Test
  void aSettingTakenOutOfTheRuntimeTemplateIsTakenOffRunningIntegrations(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("runtime.json");
    java.nio.file.Files.writeString(file, """
        {"resources": {"requests": {"cpu": "50m"}}, "imagePullSecrets": [{"name": "regcred"}],
         "podLabels": {"team": "payments"}}""");
    new KubernetesTarget(client, RuntimeTemplate.read(file, config())).putIntegration(integration("orders"));
    assertThat(deployment("orders").getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "payments");

    java.nio.file.Files.writeString(file, """
        {"resources": {"requests": {"cpu": "50m"}}}""");
    KubernetesTarget upgraded = new KubernetesTarget(client, RuntimeTemplate.read(file, config()));
    assertThat(upgraded.putIntegration(integration("orders"))).isTrue();
    var pod = deployment("orders").getSpec().getTemplate();
    assertThat(pod.getMetadata().getLabels()).doesNotContainKey("team");
    assertThat(pod.getSpec().getImagePullSecrets()).isNullOrEmpty();
    assertThat(upgraded.putIntegration(integration("orders"))).as("then nothing more to write").isFalse();
  }

  @Test
  void withoutAnOtlpEndpointTheRuntimesTelemetryIsOff() throws Exception {
    // observability-api off: the pod would otherwise export to its own 127.0.0.1:4318 and log each failure
    target.putIntegration(integration("quiet"));
    Container c = deployment("quiet").getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getEnv()).extracting("name").doesNotContain("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "OUTPOST_INGEST_TOKEN");
    assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("QUARKUS_OTEL_SDK_DISABLED"))
        .extracting("value").containsExactly("true");
  }

  @Test
  void aRuntimeTemplateWithAKeyItDoesNotKnowIsRefusedByName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("runtime.json");
    java.nio.file.Files.writeString(file, "{\"image\": \"r/i:1\", \"defaultResources\": {\"limits\": {\"memory\": \"1Gi\"}}}");
    assertThatThrownBy(() -> RuntimeTemplate.read(file, config())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown keys [defaultResources]").hasMessageContaining("resources");
  }

  @Test
  void neverMountsASecretReservedForTheDataPlane() {
    KubernetesTarget guarded = new KubernetesTarget(client, config().withReservedSecrets(List.of("cp-credentials")));
    assertThatThrownBy(() -> guarded.putIntegration(withSecret(integration("orders"), "cp-credentials", "token")))
        .isInstanceOf(TargetException.class).hasMessageContaining("Secret cp-credentials")
        .hasMessageContaining("data plane's own credentials");
    assertThat(deployment("orders")).isNull();
  }

  @Test
  void writesOnlyInItsOwnNamespace() throws Exception {
    target.putIntegration(integration("a"));
    assertThat(client.apps().deployments().inAnyNamespace().list().getItems())
        .allMatch(d -> NS.equals(d.getMetadata().getNamespace()));
  }
}
