package dev.outpost.agent;

import static dev.outpost.agent.TestStates.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.leader.LeaseElection;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.snapshot.SecretAppliedStore;
import dev.outpost.agent.status.KubernetesStatusSource;
import dev.outpost.agent.targets.KubernetesNames;
import io.fabric8.kubernetes.api.model.Pod;
import dev.outpost.agent.targets.KubernetesDriftWatch;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.spec.ingest.IntegrationIngestTokens;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Kubernetes API call the agent makes, recorded at fabric8's mock API server while it runs
 * through everything it does there, as {@code verb group/resource[/name]}. This is the list the
 * chart's Role (helm/outpost/files/agent-rules.yaml) must grant, and no more.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesVerbsTest {
  static final String NS = "outpost";
  static final Pattern PATH = Pattern.compile(
      "/(?:api/v1|apis/([^/]+)/v[12])/namespaces/" + NS + "/([a-z]+)(?:/([^/?]+))?(\\?.*)?");
  KubernetesClient client;
  KubernetesMockServer server;

  @Test
  void theAgentCallsExactlyTheseVerbs() throws Exception {
    Set<String> calls = recordCalls("outpost-agent");
    // reconciliations read through lists; single GETs come from deletes (which check ownership);
    // drift is put back with PUT (documents are immutable, written once each) and told in an Event; fabric8's LeaderElector renews and releases the Lease with PATCH
    assertThat(calls).containsExactlyInAnyOrder(
        "create apps/deployments",
        "delete apps/deployments/int-b",
        "get apps/deployments/int-b",
        "list apps/deployments",
        "update apps/deployments/int-a",
        "watch apps/deployments",
        "create core/services",
        "delete core/services/int-b",
        "get core/services/int-b",
        "list core/services",
        "update core/services/int-a",
        "watch core/services",
        "create core/configmaps",
        "delete core/configmaps/int-b-<hash>",
        "get core/configmaps/int-b-<hash>",
        "get core/configmaps/outpost-namespace-claim",
        "list core/configmaps",
        "update core/configmaps/outpost-gateway-routes",
        "watch core/configmaps",
        "create policy/poddisruptionbudgets",
        "delete policy/poddisruptionbudgets/int-b",
        "get policy/poddisruptionbudgets/int-b",
        "list policy/poddisruptionbudgets",
        "update policy/poddisruptionbudgets/int-a",
        "watch policy/poddisruptionbudgets",
        "list core/pods",
        "list core/events",
        "list autoscaling/horizontalpodautoscalers",
        "create core/events",
        "create core/secrets",
        "get core/secrets/outpost-agent-applied",
        "update core/secrets/outpost-agent-applied",
        "get core/secrets/outpost-integration-tokens",
        "update core/secrets/outpost-integration-tokens",
        "create coordination.k8s.io/leases",
        "get coordination.k8s.io/leases/outpost-agent",
        "patch coordination.k8s.io/leases/outpost-agent");
  }

  /**
   * The chart's Role for the agent (rendered with more than one agent, so the Lease rules are in)
   * grants every call the agent makes, and nothing it does not make.
   */
  @Test
  void theChartsRoleGrantsExactlyWhatTheAgentCalls() throws Exception {
    List<PolicyRule> rules = ChartRole.agentRules(client);
    String leaseName = rules.stream().filter(r -> r.getResources().contains("leases"))
        .flatMap(r -> r.getResourceNames().stream()).findFirst().orElseThrow();
    Set<String> calls = recordCalls(leaseName);

    assertThat(calls).allSatisfy(call -> assertThat(ChartRole.grants(rules, call))
        .as("the chart's Role grants %s", call).isTrue());
    assertThat(ChartRole.grantedCalls(rules)).allSatisfy(granted -> assertThat(
        calls.stream().anyMatch(call -> ChartRole.sameGrant(call, granted)))
        .as("the chart's Role grants %s, which the agent never calls", granted).isTrue());
  }

  private Set<String> recordCalls(String leaseName) throws Exception {
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"),
        Optional.of(new IntegrationIngestTokens("data-plane-token-0123456789")));
    Reconciler reconciler = new Reconciler(target, Clock.systemUTC());
    KubernetesDriftWatch watch = new KubernetesDriftWatch(client, NS, new dev.outpost.agent.targets.WrittenVersions(), () -> { });
    watch.start();
    Set<String> calls = new TreeSet<>();
    reconciler.reconcile(state(1, "a", "b"));
    drain(calls);
    // Someone edits what the agent owns (these requests are the test's, not the agent's): the next
    // reconciliation puts each object back.
    var deployment = client.apps().deployments().inNamespace(NS).withName("int-a").get();
    deployment.getSpec().setReplicas(3);
    client.resource(deployment).update();
    var service = client.services().inNamespace(NS).withName("int-a").get();
    service.getSpec().getPorts().get(0).setPort(8081);
    client.resource(service).update();
    var configMap = client.configMaps().inNamespace(NS).withName("outpost-gateway-routes").get();
    configMap.getData().replaceAll((k, v) -> v + " ");
    client.resource(configMap).update();
    var budget = client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("int-a").get();
    budget.getSpec().setMaxUnavailable(new io.fabric8.kubernetes.api.model.IntOrString(0));
    client.resource(budget).update();
    discard(8);
    reconciler.reconcile(state(2, "a"));
    SecretAppliedStore store = new SecretAppliedStore(client, NS, dev.outpost.agent.TestStates.DATA_PLANE);
    store.save("{\"revision\":1}", 1);
    store.save("{\"revision\":2}", 2);
    store.load();
    drain(calls);
    // a pod that waits for its volumes (the test's requests): the status reads the pods and their warnings
    Pod waiting = TestPods.pod("int-a-1", "2026-12-05T08:00:00Z", TestPods.waiting("ContainerCreating", null));
    waiting.getMetadata().setNamespace(NS);
    waiting.getMetadata().setLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT, KubernetesNames.INTEGRATION_LABEL, "a"));
    client.pods().inNamespace(NS).resource(waiting).create();
    drain(new TreeSet<>());
    assertThat(new KubernetesStatusSource(client, NS, Optional.empty()).integrations().integrations()).isNotEmpty();
    LeaseElection election = new LeaseElection(client, NS, leaseName, "me", Duration.ofSeconds(2), () -> { }, () -> { });
    election.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!election.isLeader() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Thread.sleep(1500); // at least one renewal
    election.stop();
    watch.stop();

    drain(calls);
    return calls;
  }

  private void drain(Set<String> calls) throws InterruptedException {
    RecordedRequest request;
    while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      calls.add(call(request));
    }
  }

  private void discard(int requests) throws InterruptedException {
    for (int i = 0; i < requests; i++) {
      RecordedRequest own = server.takeRequest(5, TimeUnit.SECONDS);
      assertThat(own).as("the test's own request %d", i).isNotNull();
    }
  }

  static String call(RecordedRequest request) {
    Matcher m = PATH.matcher(request.getPath());
    if (!m.matches()) {
      return request.getMethod() + " " + request.getPath();
    }
    String group = m.group(1) == null ? "core" : m.group(1);
    String resource = group + "/" + m.group(2);
    // a document ConfigMap is named by its content's hash
    String name = m.group(3) == null ? null : m.group(3).replaceFirst("^(int-.+)-[0-9a-f]{10}$", "$1-<hash>");
    String query = m.group(4) == null ? "" : m.group(4);
    return switch (request.getMethod()) {
      case "GET" -> name != null ? "get " + resource + "/" + name
          : query.contains("watch=true") ? "watch " + resource : "list " + resource;
      case "POST" -> "create " + resource;
      case "PUT" -> "update " + resource + "/" + name;
      case "PATCH" -> "patch " + resource + "/" + name;
      case "DELETE" -> "delete " + resource + "/" + name;
      default -> request.getMethod() + " " + resource;
    };
  }
}
