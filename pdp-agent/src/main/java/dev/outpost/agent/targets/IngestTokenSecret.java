package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Secret {@code outpost-integration-tokens}: one key per integration, holding the OTLP ingest
 * token the agent issued it. An integration's pod reads its own key through a {@code
 * secretKeyRef}, and the kubelet injects that key only. One Secret for all, because RBAC can limit
 * {@code get} and {@code update} to Secrets named in advance but not to a prefix: this way the
 * agent can read no Secret but its own two.
 */
final class IngestTokenSecret {
  private final KubernetesClient client;
  private final String namespace;
  /** The Secret as last read or written; null when it does not exist. */
  private Secret live;
  private boolean loaded;
  private Optional<OwnerReference> owner = Optional.empty();

  IngestTokenSecret(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Created from now on naming {@code owner} as its owner (NamespaceClaim). */
  void ownedBy(Optional<OwnerReference> owner) {
    this.owner = owner;
  }

  /** Reads the Secret again (one GET). */
  void refresh() throws TargetException {
    try {
      live = client.secrets().inNamespace(namespace).withName(KubernetesNames.INGEST_TOKENS_SECRET).get();
    } catch (KubernetesClientException e) {
      throw new TargetException("cannot read Secret " + KubernetesNames.INGEST_TOKENS_SECRET + ": "
          + ObjectApplier.reason(e), e);
    }
    if (live != null) {
      ObjectApplier.requireManaged(live, owner, "Secret " + KubernetesNames.INGEST_TOKENS_SECRET);
    }
    loaded = true;
  }

  /** The integrations that hold a token. */
  Set<String> integrations() throws TargetException {
    if (!loaded) {
      refresh();
    }
    return Set.copyOf(data().keySet());
  }

  /** Gives {@code integration} its token; whether anything was written. */
  boolean put(String integration, String token) throws TargetException {
    return putAll(Map.of(integration, token));
  }

  /**
   * Gives each integration its token in one write, not one each: a Secret of N tokens written N
   * times sends N²/2 tokens on a state's first apply. Whether anything was written.
   */
  boolean putAll(Map<String, String> tokens) throws TargetException {
    Map<String, String> encoded = new TreeMap<>();
    tokens.forEach((integration, token) ->
        encoded.put(integration, Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))));
    return write(data -> data.putAll(encoded));
  }

  /** Takes the token of {@code integration} away; whether anything was written. */
  boolean remove(String integration) throws TargetException {
    return write(data -> data.remove(integration));
  }

  private boolean write(Consumer<Map<String, String>> change) throws TargetException {
    for (int attempt = 1; ; attempt++) {
      if (!loaded || attempt > 1) {
        refresh();
      }
      Map<String, String> data = new TreeMap<>(data());
      change.accept(data);
      if (data.equals(data()) || (live == null && data.isEmpty())) {
        return false;
      }
      try {
        live = live == null ? client.resource(NamespaceClaim.owned(secret(data, null), owner)).create()
            : client.resource(NamespaceClaim.keepingOwners(secret(data, live.getMetadata().getResourceVersion()), live))
                .update();
        return true;
      } catch (KubernetesClientException e) {
        // 409: someone wrote in between (or created it first); read again and redo the change
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= ObjectApplier.MAX_ATTEMPTS) {
          throw new TargetException("cannot write Secret " + KubernetesNames.INGEST_TOKENS_SECRET + ": "
              + ObjectApplier.reason(e), e);
        }
      }
    }
  }

  private Map<String, String> data() {
    return live == null || live.getData() == null ? Map.of() : live.getData();
  }

  private Secret secret(Map<String, String> data, String resourceVersion) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(KubernetesNames.INGEST_TOKENS_SECRET)
        .withNamespace(namespace)
        .withResourceVersion(resourceVersion)
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT,
            KubernetesNames.COMPONENT, "integration-tokens"))
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }
}
