package dev.outpost.agent.targets;

import static dev.outpost.agent.TestStates.integration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.TestStates;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.spec.ingest.IntegrationIngestTokens;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each integration pod sends its telemetry with a token of its own, which observability-api binds
 * to its project and integration: written to Secret outpost-integration-tokens, read by the pod
 * through a secretKeyRef, taken away with the integration.
 */
@EnableKubernetesMockClient(crud = true)
class IntegrationIngestTokenTest {
  static final String NS = KubernetesTargetTest.NS;
  static final String SECRET = KubernetesNames.INGEST_TOKENS_SECRET;
  static final IntegrationIngestTokens ISSUER = new IntegrationIngestTokens("data-plane-token-0123456789");
  KubernetesMockServer server;
  KubernetesClient client;
  KubernetesTarget target;

  @BeforeEach
  void setUp() {
    target = new KubernetesTarget(client, KubernetesTargetTest.config(), Optional.of(ISSUER));
  }

  Secret secret() {
    return client.secrets().inNamespace(NS).withName(SECRET).get();
  }

  String token(String integration) {
    String encoded = secret().getData().get(integration);
    return encoded == null ? null : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  EnvVar tokenEnv(String integration) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + integration).get().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getEnv().stream().filter(e -> e.getName().equals("OUTPOST_INGEST_TOKEN"))
        .findFirst().orElse(null);
  }

  String tokenHash(String integration) {
    return client.apps().deployments().inNamespace(NS).withName("int-" + integration).get().getSpec().getTemplate()
        .getMetadata().getAnnotations().get(IntegrationObjects.INGEST_TOKEN_HASH);
  }

  @Test
  void eachPodReadsItsOwnTokenBoundToItsProjectAndIntegration() throws Exception {
    assertThat(target.putIntegration(integration("orders"))).isTrue();
    target.putIntegration(integration("billing"));

    var project = integration("orders").project();
    assertThat(ISSUER.verify(token("orders"))).contains(new IntegrationIngestTokens.Binding(project, "orders"));
    assertThat(ISSUER.verify(token("billing"))).contains(new IntegrationIngestTokens.Binding(project, "billing"));
    assertThat(secret().getMetadata().getLabels()).containsEntry(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT);
    EnvVar env = tokenEnv("orders");
    assertThat(env.getValue()).as("never in the Deployment itself").isNull();
    assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo(SECRET);
    assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("orders");
    assertThat(tokenHash("orders")).hasSize(64).isNotEqualTo(tokenHash("billing"));
  }

  @Test
  void aPassThatChangesNothingReadsTheSecretOnceAndWritesNothing() throws Exception {
    Reconciler reconciler = new Reconciler(target, Clock.systemUTC());
    assertThat(reconciler.reconcile(TestStates.state(1, "a", "b")).changes()).as("two integrations, their tokens, routes, telemetry").isEqualTo(5);
    int before = server.getRequestCount();
    var again = reconciler.reconcile(TestStates.state(1, "a", "b"));
    assertThat(again.changes()).isZero();
    assertThat(server.getRequestCount() - before)
        .as("four lists, one read of the claim, one of the Secret and a list of the autoscalers").isEqualTo(7);
  }

  @Test
  void aStatesTokensAreWrittenOnceNotOncePerIntegration() throws Exception {
    Reconciler reconciler = new Reconciler(target, Clock.systemUTC());
    String[] names = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "i" + i).toArray(String[]::new);
    assertThat(reconciler.reconcile(TestStates.state(1, names)).succeeded()).isTrue();
    assertThat(tokenWrites()).as("a first apply of 20 integrations").isEqualTo(1);
    assertThat(secret().getData()).hasSize(20);

    String[] more = java.util.Arrays.copyOf(names, 25);
    for (int i = 20; i < 25; i++) {
      more[i] = "i" + i;
    }
    assertThat(reconciler.reconcile(TestStates.state(2, more)).succeeded()).isTrue();
    assertThat(tokenWrites()).as("five added").isEqualTo(1);
    assertThat(ISSUER.verify(token("i24"))).isPresent();
  }

  /** The writes (create, update) of the token Secret the server received since the last call. */
  private int tokenWrites() throws InterruptedException {
    int writes = 0;
    io.fabric8.mockwebserver.http.RecordedRequest r;
    while ((r = server.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
      // reconciliations write no other Secret: a create is this one's
      if ((r.getMethod().equals("POST") && r.getPath().endsWith("/secrets"))
          || (r.getMethod().equals("PUT") && r.getPath().endsWith("/secrets/" + SECRET))) {
        writes++;
      }
    }
    return writes;
  }

  @Test
  void removingAnIntegrationTakesItsTokenAway() throws Exception {
    target.putIntegration(integration("orders"));
    target.putIntegration(integration("billing"));
    assertThat(target.deleteIntegration("orders")).isTrue();
    assertThat(secret().getData()).containsOnlyKeys("billing");
    assertThat(target.deleteIntegration("orders")).isFalse();
  }

  @Test
  void aTokenLeftBehindIsPrunedLikeAnyObjectOfARemovedIntegration() throws Exception {
    // a removal cut short after the Deployment went: only the token is left
    Reconciler reconciler = new Reconciler(target, Clock.systemUTC());
    reconciler.reconcile(TestStates.state(1, "a", "b"));
    Secret s = secret();
    s.getData().put("ghost", Base64.getEncoder().encodeToString(ISSUER.issue("p", "ghost").getBytes(StandardCharsets.UTF_8)));
    client.resource(s).update();

    assertThat(reconciler.reconcile(TestStates.state(2, "a", "b")).succeeded()).isTrue();
    assertThat(secret().getData()).containsOnlyKeys("a", "b");
  }

  @Test
  void aWriteThatRacesAnotherIsRedoneOnTheNewSecret() throws Exception {
    target.putIntegration(integration("orders"));
    target.refresh();
    Secret s = secret();
    s.getData().put("other", "eA==");
    client.resource(s).update(); // someone writes after the agent read it
    assertThat(target.putIntegration(integration("billing"))).isTrue();
    assertThat(secret().getData()).containsOnlyKeys("orders", "billing", "other");
  }

  @Test
  void aNewDataPlaneTokenRollsThePodsWithTheirNewTokens() throws Exception {
    target.putIntegration(integration("orders"));
    String before = tokenHash("orders");
    var rotated = new IntegrationIngestTokens("rotated-data-plane-token-0123456789");
    KubernetesTarget after = new KubernetesTarget(client, KubernetesTargetTest.config(), Optional.of(rotated));
    assertThat(after.putIntegration(integration("orders"))).isTrue();
    assertThat(rotated.verify(token("orders"))).isPresent();
    assertThat(ISSUER.verify(token("orders"))).isEmpty();
    assertThat(tokenHash("orders")).as("a changed pod template: the pods restart with the new token").isNotEqualTo(before);
  }

  @Test
  void neverTakesOverASecretOfThatNameItDidNotCreate() {
    client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(SECRET).endMetadata()
        .withData(Map.of("orders", "eA==")).build()).create();
    assertThatThrownBy(() -> target.putIntegration(integration("orders")))
        .isInstanceOf(TargetException.class).hasMessageContaining(SECRET).hasMessageContaining("not labelled");
    assertThat(secret().getData()).containsExactly(Map.entry("orders", "eA=="));
  }

  @Test
  void withoutAnIngestTokenNoSecretIsWrittenAndPodsGetNoToken() throws Exception {
    KubernetesTarget tokenless = new KubernetesTarget(client, KubernetesTargetTest.config());
    tokenless.putIntegration(integration("orders"));
    assertThat(secret()).isNull();
    assertThat(tokenEnv("orders")).isNull();
    assertThat(tokenHash("orders")).isNull();
  }
}
