package dev.outpost.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class AppliedStoreTest {
  KubernetesClient client;
  @TempDir Path home;

  void roundTrips(AppliedStore store) throws Exception {
    assertThat(store.load()).isEmpty();
    store.save("{\"type\":\"snapshot\",\"revision\":1}");
    assertThat(store.load()).contains("{\"type\":\"snapshot\",\"revision\":1}");
    store.save("{\"type\":\"snapshot\",\"revision\":2}");
    assertThat(store.load()).contains("{\"type\":\"snapshot\",\"revision\":2}");
  }

  @Test
  void theFileStoreKeepsTheLastSnapshotUnderAgent() throws Exception {
    roundTrips(new FileAppliedStore(home));
    assertThat(home.resolve("agent/applied.json")).exists();
  }

  @Test
  void theSecretStoreKeepsItInOutpostAgentApplied() throws Exception {
    roundTrips(new SecretAppliedStore(client, "outpost"));
    Secret secret = client.secrets().inNamespace("outpost").withName("outpost-agent-applied").get();
    assertThat(secret.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "outpost-agent");
    assertThat(secret.getData()).containsKey("snapshot.json");
  }
}
