package dev.outpost.agent.targets;

import static dev.outpost.agent.TestStates.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.reconcile.ReconcileResult;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.snapshot.SecretAppliedStore;
import dev.outpost.agent.status.KubernetesStatusSource;
import dev.outpost.agent.status.StatusReporter;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.protocol.Status;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Argo CD applies a second release into a namespace where Helm would refuse it, and that release
 * takes the namespace claim over: two agents then each pruned the other's integrations. The agent
 * that finds the applied snapshot kept by another release's agent, of another data plane, writes
 * nothing there and says why.
 */
@EnableKubernetesMockClient(crud = true)
class AgentIdentityTest {
  static final String NS = KubernetesTargetTest.NS;
  static final AgentIdentity FIRST = new AgentIdentity("dp-first", "first-outpost-agent");
  static final AgentIdentity SECOND = new AgentIdentity("dp-second", "second-outpost-agent");
  KubernetesClient client;

  @BeforeEach
  void claim() {
    client.resource(new ConfigMapBuilder().withNewMetadata().withName(NamespaceClaim.NAME).withNamespace(NS)
        .endMetadata().withData(Map.of("release", "second")).build()).create();
  }

  private Reconciler agent(AgentIdentity identity) {
    return new Reconciler(new KubernetesTarget(client, KubernetesTargetTest.config(), Optional.empty(), true,
        new NamespaceHold(identity)), Clock.systemUTC());
  }

  private boolean exists(String integration) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + integration).get() != null;
  }

  @Test
  void anAgentOfAnotherReleaseAndDataPlaneWritesNothingThere() throws Exception {
    Reconciler first = agent(FIRST);
    assertThat(first.reconcile(state(1, "orders")).succeeded()).isTrue();
    new SecretAppliedStore(client, NS, new NamespaceHold(FIRST)).save("{\"revision\":1}", 1);

    Reconciler second = agent(SECOND);
    DataPlaneState billing = state(1, "billing");
    ReconcileResult refused = second.reconcile(billing);
    assertThat(refused.succeeded()).isFalse();
    // the other agent by its Lease name only: another data plane's id is not this control plane's business
    assertThat(refused.message()).contains("agent first-outpost-agent").doesNotContain("dp-first")
        .contains("kubectl delete secret " + KubernetesNames.APPLIED_SECRET);
    assertThat(exists("billing")).isFalse();
    assertThat(exists("orders")).as("the first agent's integration, not pruned").isTrue();
    assertThatThrownBy(() -> new SecretAppliedStore(client, NS, new NamespaceHold(SECOND)).save("{\"revision\":1}", 1))
        .isInstanceOf(IOException.class).hasMessageContaining("first-outpost-agent");
    assertThat(client.secrets().inNamespace(NS).withName(KubernetesNames.APPLIED_SECRET).get().getMetadata()
        .getAnnotations()).containsEntry(AgentIdentity.DATA_PLANE_ANNOTATION, "dp-first");
    Status status = new StatusReporter("dp-second", new KubernetesStatusSource(client, NS, Optional.empty()),
        Clock.systemUTC()).observe(billing, 0, 1, Map.of(), second.unwritten());
    assertThat(status.integrations()).singleElement().satisfies(i -> assertThat(i.message())
        .startsWith("the agent cannot write it: Secret " + KubernetesNames.APPLIED_SECRET)
        .contains("first-outpost-agent").doesNotContain("dp-first"));

    assertThat(first.reconcile(state(2, "orders", "audit")).succeeded()).as("the first agent goes on").isTrue();
  }

  /** The same release's agent with a new data plane id is this data plane registered anew: it writes as before. */
  @Test
  void theSameReleaseRegisteredAnewWritesAsBefore() throws Exception {
    AgentIdentity before = new AgentIdentity("dp-old", "outpost-agent");
    AgentIdentity renewed = new AgentIdentity("dp-new", "outpost-agent");
    assertThat(agent(before).reconcile(state(300, "orders")).succeeded()).isTrue();
    new SecretAppliedStore(client, NS, new NamespaceHold(before)).save("{\"revision\":300}", 300);

    assertThat(agent(renewed).reconcile(state(1, "billing")).succeeded()).isTrue();
    assertThat(exists("billing")).isTrue();
    SecretAppliedStore store = new SecretAppliedStore(client, NS, new NamespaceHold(renewed));
    store.save("{\"revision\":1}", 1);
    assertThat(store.load()).contains("{\"revision\":1}");
  }
}
