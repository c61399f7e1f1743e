package dev.outpost.agent.snapshot;

import dev.outpost.agent.targets.KubernetesNames;
import dev.outpost.agent.targets.ObjectApplier;
import dev.outpost.agent.targets.TargetException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes store: Secret {@code outpost-agent-applied}, key {@code snapshot.json}, in the
 * agent's namespace. A Secret rather than a ConfigMap because integration sources may be
 * confidential; one object write is atomic.
 */
public final class SecretAppliedStore implements AppliedStore {
  public static final String KEY = "snapshot.json";

  private final KubernetesClient client;
  private final String namespace;
  private final ObjectApplier applier;

  public SecretAppliedStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.applier = new ObjectApplier(client);
  }

  @Override
  public Optional<String> load() throws IOException {
    try {
      Secret secret = client.secrets().inNamespace(namespace).withName(KubernetesNames.APPLIED_SECRET).get();
      if (secret == null || secret.getData() == null || !secret.getData().containsKey(KEY)) {
        return Optional.empty();
      }
      return Optional.of(new String(Base64.getDecoder().decode(secret.getData().get(KEY)), StandardCharsets.UTF_8));
    } catch (KubernetesClientException e) {
      throw new IOException("cannot read Secret " + KubernetesNames.APPLIED_SECRET + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void save(String snapshotMessage) throws IOException {
    Secret secret = new SecretBuilder()
        .withNewMetadata()
        .withName(KubernetesNames.APPLIED_SECRET)
        .withNamespace(namespace)
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT))
        .endMetadata()
        .withType("Opaque")
        .withData(Map.of(KEY, Base64.getEncoder().encodeToString(snapshotMessage.getBytes(StandardCharsets.UTF_8))))
        .build();
    try {
      applier.apply(secret);
    } catch (TargetException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
