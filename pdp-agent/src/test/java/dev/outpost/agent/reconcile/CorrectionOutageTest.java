package dev.outpost.agent.reconcile;

import static dev.outpost.agent.TestStates.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.spec.model.DataPlaneState;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A correction (a resync, a put-back) that meets a failure of the API server itself stops there; one
 * that meets a refusal of one object goes on with the others. Before, it went on after any failure:
 * in an outage each integration paid the client's whole retry budget, holding the agent's only apply
 * thread (no status sent, no newer revision applied) for as long as the outage lasted.
 */
@EnableKubernetesMockClient(crud = true)
class CorrectionOutageTest {
  static final String NS = "outpost";
  KubernetesClient client;
  KubernetesMockServer server;

  /** What int-a's Deployment answers to the correction's write, and whether the pass stops there. */
  record Case(int code, String reason, boolean stops) {}

  static final List<Case> CASES = List.of(
      new Case(503, "ServiceUnavailable", true),
      new Case(500, "InternalError", true),
      new Case(429, "TooManyRequests", true),
      new Case(403, "Forbidden", false),
      new Case(422, "Invalid", false));

  KubernetesClient quickRetries;

  /** The client retries a 5xx or 429 twice, 10 ms apart: the pass pays for its retries in seconds, not minutes. */
  @BeforeEach
  void quickRetries() {
    quickRetries = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
        .withRequestRetryBackoffLimit(2).withRequestRetryBackoffInterval(10).build()).build();
  }

  @AfterEach
  void close() {
    quickRetries.close();
  }

  @Test
  void aCorrectionStopsAtTheFirstFailureOfTheApiServerAndGoesOnPastARefusedObject() {
    for (Case c : CASES) {
      server.reset();
      Reconciler reconciler = new Reconciler(new KubernetesTarget(quickRetries, KubernetesTargetConfig.of(NS, "img:1",
          "IfNotPresent")), Clock.systemUTC());
      DataPlaneState state = state(1, "a", "b", "c");
      assertThat(reconciler.reconcile(state).succeeded()).isTrue();
      for (String name : List.of("a", "b", "c")) {
        client.apps().deployments().inNamespace(NS).withName("int-" + name).edit(d -> {
          d.getSpec().setReplicas(9);
          return d;
        });
      }
      server.expect().put().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments/int-a")
          .andReturn(c.code(), "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\""
              + c.reason() + "\",\"code\":" + c.code() + "}").always();

      ReconcileResult result = reconciler.correct(state);

      assertThat(result.succeeded()).as("%s", c).isFalse();
      assertThat(result.failedStep()).as("%s", c).isEqualTo(ApplyIntegrations.NAME);
      assertThat(result.message()).as("%s", c).contains("int-a").contains(String.valueOf(c.code()));
      assertThat(reconciler.unwritten()).as("%s", c).containsOnlyKeys("a");
      for (String name : List.of("b", "c")) {
        assertThat(client.apps().deployments().inNamespace(NS).withName("int-" + name).get().getSpec().getReplicas())
            .as("%s: int-%s %s", c, name, c.stops() ? "not tried" : "put back all the same")
            .isEqualTo(c.stops() ? 9 : 1);
      }
    }
  }
}
