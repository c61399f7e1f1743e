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
 * A correction (a resync, a put-back) that meets a failure of the API server itself, two integrations
 * in a row, stops there; one that meets a refusal of one object, or one failure alone, goes on with
 * the others. Before, it went on after any failure: in an outage each integration paid the client's
 * whole retry budget, holding the agent's only apply thread (no status sent, no newer revision
 * applied) for as long as the outage lasted. Then it stopped at the first 5xx, and an admission
 * webhook that fails closed for some integrations (500 "failed calling webhook") stopped every
 * correction of the integrations after them.
 */
@EnableKubernetesMockClient(crud = true)
class CorrectionOutageTest {
  static final String NS = "outpost";
  static final List<String> INTEGRATIONS = List.of("a", "b", "c", "d");
  KubernetesClient client;
  KubernetesMockServer server;

  /**
   * What the correction's writes of some Deployments are answered, and which integrations it then
   * puts back.
   *
   * @param failing the integrations whose Deployment's write is answered so
   * @param putBack the integrations put back (the others are failing, or not tried)
   */
  record Case(String what, int code, String reason, String message, List<String> failing, List<String> putBack) {}

  static final String WEBHOOK = "Internal error occurred: failed calling webhook \\\"validate.policy.example.com\\\":"
      + " failed to call webhook: Post \\\"https://policy.policy-system.svc:443/validate\\\": dial tcp 10.96.0.9:443:"
      + " connect: connection refused";

  static final List<Case> CASES = List.of(
      new Case("an outage", 503, "ServiceUnavailable", "", INTEGRATIONS, List.of()),
      new Case("an outage", 500, "InternalError", "", INTEGRATIONS, List.of()),
      new Case("throttled", 429, "TooManyRequests", "", INTEGRATIONS, List.of()),
      new Case("one failure alone", 503, "ServiceUnavailable", "", List.of("a"), List.of("b", "c", "d")),
      new Case("a webhook failing closed for some objects", 500, "InternalError", WEBHOOK, List.of("a", "c"),
          List.of("b", "d")),
      new Case("a webhook failing closed for two in a row", 500, "InternalError", WEBHOOK, List.of("a", "b"),
          List.of()),
      new Case("a refusal", 403, "Forbidden", "", List.of("a", "b"), List.of("c", "d")),
      new Case("an invalid object", 422, "Invalid", "", List.of("a"), List.of("b", "c", "d")));

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
  void aCorrectionStopsAtTwoFailuresOfTheApiServerInARowAndGoesOnPastARefusedObject() {
    for (Case c : CASES) {
      server.reset();
      Reconciler reconciler = reconciler();
      DataPlaneState state = state(1, INTEGRATIONS.toArray(String[]::new));
      assertThat(reconciler.reconcile(state).succeeded()).isTrue();
      INTEGRATIONS.forEach(this::drift);
      c.failing().forEach(name -> answerWritesOf(name, c.code(), c.reason(), c.message()));

      ReconcileResult result = reconciler.correct(state);

      assertThat(result.succeeded()).as("%s", c).isFalse();
      assertThat(result.failedStep()).as("%s", c).isEqualTo(ApplyIntegrations.NAME);
      assertThat(result.message()).as("%s", c).contains("int-a").contains(String.valueOf(c.code()));
      boolean outage = c.putBack().isEmpty();
      assertThat(reconciler.unwritten()).as("%s", c).containsOnlyKeys(outage ? List.of("a", "b") : c.failing());
      for (String name : INTEGRATIONS) {
        assertThat(replicas(name)).as("%s: int-%s", c, name).isEqualTo(c.putBack().contains(name) ? 1 : 9);
      }
    }
  }

  /**
   * An integration left as it was sends no request, so it says nothing of the API server: two failures
   * with one such between them are two in a row (counted anew only by an answered write, else an outage
   * with drift on every other integration was never stopped).
   */
  @Test
  void anIntegrationThatNeedsNoWriteDoesNotResetTheOutageCount() {
    Reconciler reconciler = reconciler();
    DataPlaneState state = state(1, INTEGRATIONS.toArray(String[]::new));
    assertThat(reconciler.reconcile(state).succeeded()).isTrue();
    List.of("a", "c", "d").forEach(this::drift);
    List.of("a", "c").forEach(name -> answerWritesOf(name, 503, "ServiceUnavailable", ""));

    ReconcileResult result = reconciler.correct(state);

    assertThat(result.succeeded()).isFalse();
    assertThat(replicas("d")).as("not tried: the pass stopped at int-c").isEqualTo(9);
  }

  /**
   * The case the review found: a webhook failing closed for int-a only, int-c's Deployment deleted by
   * hand: every resync stopped at int-a and int-c was never created again.
   */
  @Test
  void aDeploymentDeletedAfterOneAWebhookRefusesIsCreatedAgain() {
    Reconciler reconciler = reconciler();
    DataPlaneState state = state(1, INTEGRATIONS.toArray(String[]::new));
    assertThat(reconciler.reconcile(state).succeeded()).isTrue();
    drift("a");
    answerWritesOf("a", 500, "InternalError", WEBHOOK);
    client.apps().deployments().inNamespace(NS).withName("int-c").delete();

    assertThat(reconciler.correct(state).succeeded()).isFalse();

    assertThat(client.apps().deployments().inNamespace(NS).withName("int-c").get()).as("created again").isNotNull();
    assertThat(reconciler.unwritten()).containsOnlyKeys("a");
  }

  /**
   * A pass that stops in an outage says nothing of the integrations it did not reach: each keeps
   * what the pass before said of it, instead of its status losing why it is not written.
   */
  @Test
  void integrationsAPassDidNotReachKeepWhyTheyWereNotWritten() {
    Reconciler reconciler = reconciler();
    DataPlaneState state = state(1, INTEGRATIONS.toArray(String[]::new));
    assertThat(reconciler.reconcile(state).succeeded()).isTrue();
    INTEGRATIONS.forEach(this::drift);
    answerWritesOf("d", 403, "Forbidden", "");
    assertThat(reconciler.correct(state).succeeded()).isFalse();
    assertThat(reconciler.unwritten()).containsOnlyKeys("d");
    String refusedBefore = reconciler.unwritten().get("d");

    INTEGRATIONS.forEach(this::drift);
    INTEGRATIONS.forEach(name -> answerWritesOf(name, 503, "ServiceUnavailable", ""));
    assertThat(reconciler.correct(state).succeeded()).isFalse();

    assertThat(reconciler.unwritten()).containsOnlyKeys("a", "b", "d");
    assertThat(reconciler.unwritten().get("a")).contains("503");
    assertThat(reconciler.unwritten().get("d")).as("not reached: as the pass before said").isEqualTo(refusedBefore);
  }

  private Reconciler reconciler() {
    return new Reconciler(new KubernetesTarget(quickRetries, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent")),
        Clock.systemUTC());
  }

  /** Someone scales int-{@code name} to 9: a correction puts it back to 1. */
  private void drift(String name) {
    client.apps().deployments().inNamespace(NS).withName("int-" + name).edit(d -> {
      d.getSpec().setReplicas(9);
      return d;
    });
  }

  private int replicas(String name) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + name).get().getSpec().getReplicas();
  }

  private void answerWritesOf(String name, int code, String reason, String message) {
    server.expect().put().withPath("/apis/apps/v1/namespaces/" + NS + "/deployments/int-" + name)
        .andReturn(code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"" + message
            + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}").always();
  }
}
