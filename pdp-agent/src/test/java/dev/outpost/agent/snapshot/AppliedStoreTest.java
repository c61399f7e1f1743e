package dev.outpost.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class AppliedStoreTest {
  KubernetesClient client;
  @TempDir Path home;

  void roundTrips(AppliedStore store) throws Exception {
    assertThat(store.load()).isEmpty();
    store.save("{\"type\":\"snapshot\",\"revision\":1}", 1);
    assertThat(store.load()).contains("{\"type\":\"snapshot\",\"revision\":1}");
    store.save("{\"type\":\"snapshot\",\"revision\":2}", 2);
    assertThat(store.load()).contains("{\"type\":\"snapshot\",\"revision\":2}");
  }

  @Test
  void theFileStoreKeepsTheLastSnapshotUnderAgent() throws Exception {
    roundTrips(new FileAppliedStore(home));
    assertThat(home.resolve("agent/applied.json")).exists();
  }

  @Test
  void theSecretStoreKeepsItInOutpostAgentApplied() throws Exception {
    roundTrips(new SecretAppliedStore(client, "outpost", "test-dp"));
    Secret secret = client.secrets().inNamespace("outpost").withName("outpost-agent-applied").get();
    assertThat(secret.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "outpost-agent");
    assertThat(secret.getData()).containsKey("snapshot.json");
  }

  @Test
  void theSecretStoreKeepsASnapshotLargerThanOneSecretMayHold() throws Exception {
    String large = "{\"type\":\"snapshot\",\"revision\":1,\"state\":{\"source\":\""
        + "# a line of an integration's source\\n".repeat(100_000) + "\"}}";
    assertThat(large.length()).isGreaterThan(3_000_000);
    SecretAppliedStore store = new SecretAppliedStore(client, "outpost", "test-dp");
    store.save(large, 1);

    Secret secret = client.secrets().inNamespace("outpost").withName("outpost-agent-applied").get();
    long bytes = secret.getData().values().stream().mapToLong(v -> Base64.getDecoder().decode(v).length).sum();
    assertThat(bytes).as("the API server refuses a Secret over 1 MiB").isLessThanOrEqualTo(1024 * 1024);
    assertThat(store.load()).contains(large);

    store.save("{\"type\":\"snapshot\",\"revision\":2}", 2);
    assertThat(store.load()).contains("{\"type\":\"snapshot\",\"revision\":2}");
  }

  @Test
  void aDamagedSecretIsReadAsSomethingToRefuseNotAsAFailedRead() throws Exception {
    client.secrets().inNamespace("outpost").resource(new SecretBuilder().withNewMetadata()
        .withName("outpost-agent-applied").endMetadata()
        .addToData("snapshot.json.gz", Base64.getEncoder().encodeToString("not gzip".getBytes())).build()).create();
    assertThat(new SecretAppliedStore(client, "outpost", "test-dp").load()).hasValueSatisfying(v ->
        assertThat(v).doesNotContain("snapshot"));
  }

  /**
   * A replica that lost its lease mid-apply finished after its successor had saved a newer revision:
   * its save must not put the older one back, for the next restart to enforce.
   */
  @Test
  void theSecretStoreNeverReplacesANewerRevision() throws Exception {
    SecretAppliedStore store = new SecretAppliedStore(client, "outpost", "test-dp");
    store.save("{\"type\":\"snapshot\",\"revision\":9}", 9);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.save("{\"type\":\"snapshot\",\"revision\":8}", 8))
        .isInstanceOf(NewerRevisionStoredException.class).hasMessageContaining("revision 9 is stored");
    assertThat(store.load()).contains("{\"type\":\"snapshot\",\"revision\":9}");
    store.save("{\"type\":\"snapshot\",\"revision\":9,\"resigned\":true}", 9);
    assertThat(store.load()).as("the same revision, signed again, is kept").contains("{\"type\":\"snapshot\",\"revision\":9,\"resigned\":true}");
  }

  /**
   * A Secret of another data plane (this namespace's registered anew, its revisions starting again)
   * is no floor: its revision 300 refused every save below it.
   */
  @Test
  void anotherDataPlanesRevisionIsNoFloor() throws Exception {
    new SecretAppliedStore(client, "outpost", "old-registration").save("{\"type\":\"snapshot\",\"revision\":300}", 300);
    SecretAppliedStore store = new SecretAppliedStore(client, "outpost", "test-dp");
    store.save("{\"type\":\"snapshot\",\"revision\":1}", 1);
    assertThat(store.load()).contains("{\"type\":\"snapshot\",\"revision\":1}");
  }
}
