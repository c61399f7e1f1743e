package dev.outpost.agent.targets;

import dev.outpost.spec.ingest.IntegrationIngestTokens;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.SecretRef;
import dev.outpost.spec.model.Telemetry;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Kubernetes target: per integration a Deployment and a Service named {@code int-<name>} and a
 * ConfigMap per version of its document ({@code int-<name>-<hash>}: the current one, and earlier
 * ones until a rollout is seen complete, while old pods may mount them), the gateway's routing table in ConfigMap {@code outpost-gateway-routes} and
 * observability-api's retention in ConfigMap {@code outpost-telemetry}; all in
 * the agent's own namespace and labelled {@code app.kubernetes.io/managed-by: outpost-agent}.
 * With an ingest token, each integration also gets its own OTLP token, a key of Secret {@code
 * outpost-integration-tokens} ({@link IngestTokenSecret}). What a Deployment uses is written before
 * it, and the Deployment is deleted before what it uses.
 */
public final class KubernetesTarget implements Target {
  private static final List<Class<? extends HasMetadata>> INTEGRATION_KINDS =
      List.of(Deployment.class, Service.class, PodDisruptionBudget.class, ConfigMap.class);
  /**
   * Deleted by name: the documents go by their integration's label instead, since {@code int-<name>}
   * may be another integration's document ({@code int-api-0123456789} removed, {@code api}'s hash
   * beginning with those digits).
   */
  private static final List<Class<? extends HasMetadata>> NAMED_KINDS =
      List.of(Deployment.class, Service.class, PodDisruptionBudget.class);

  private final KubernetesClient client;
  private final KubernetesTargetConfig config;
  private final IntegrationObjects objects;
  private final ObjectApplier applier;
  private final Optional<IntegrationIngestTokens> ingestTokens;
  private final IngestTokenSecret tokenSecret;
  private final boolean claimRequired;
  private final NamespaceHold hold;
  /** This target's updates, for the drift watch beside it. */
  private final WrittenVersions written = new WrittenVersions();
  /** The namespace claim the last {@link #refresh()} read, owner of what is created here. */
  private Optional<OwnerReference> owner = Optional.empty();
  /** What the last {@link #refresh()} listed, updated with this agent's writes; null before. */
  private Map<String, HasMetadata> live;
  private final AutoscaledDeployments autoscaled;

  /** A target whose integrations send their telemetry with no token (observability-api refuses it). */
  public KubernetesTarget(KubernetesClient client, KubernetesTargetConfig config) {
    this(client, config, Optional.empty());
  }

  /**
   * @param ingestTokens issues each integration its OTLP ingest token (from the data plane's);
   *     empty when the agent has none, and the pods then get none
   */
  public KubernetesTarget(KubernetesClient client, KubernetesTargetConfig config,
      Optional<IntegrationIngestTokens> ingestTokens) {
    this(client, config, ingestTokens, false);
  }

  /**
   * @param claimRequired whether nothing is written while ConfigMap outpost-namespace-claim, the
   *     owner of what the agent writes, is absent or being deleted (the chart's installs)
   */
  public KubernetesTarget(KubernetesClient client, KubernetesTargetConfig config,
      Optional<IntegrationIngestTokens> ingestTokens, boolean claimRequired) {
    this(client, config, ingestTokens, claimRequired, null);
  }

  /**
   * @param hold this agent's hold on the namespace: it writes nothing while another release's agent
   *     keeps its applied snapshot there ({@link NamespaceHold}), each pass renews its own, and no write is made
   *     once it may have lapsed; null not to look
   */
  public KubernetesTarget(KubernetesClient client, KubernetesTargetConfig config,
      Optional<IntegrationIngestTokens> ingestTokens, boolean claimRequired, NamespaceHold hold) {
    this.claimRequired = claimRequired;
    this.hold = hold;
    this.client = client;
    this.config = config;
    this.objects = new IntegrationObjects(config);
    this.applier = new ObjectApplier(client, written);
    this.autoscaled = new AutoscaledDeployments(client, config.namespace());
    this.ingestTokens = ingestTokens;
    this.tokenSecret = new IngestTokenSecret(client, config.namespace());
  }

  /**
   * Lists everything the agent manages (four list calls, a read of the namespace claim, one of the
   * applied snapshot's Secret with a hold, one of the token Secret) and the namespace's autoscalers
   * (one list call), so that a pass over a thousand integrations that changes nothing sends no
   * further request but a renewal of the hold, every few minutes.
   */
  @Override
  public void refresh() throws TargetException {
    Map<String, HasMetadata> objects = new HashMap<>();
    try {
      for (Class<? extends HasMetadata> kind : INTEGRATION_KINDS) {
        client.resources(kind).inNamespace(config.namespace())
            .withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)
            .list().getItems()
            .forEach(o -> objects.put(key(kind, o.getMetadata().getName()), o));
      }
    } catch (KubernetesClientException e) {
      throw new TargetException("cannot list the agent's objects in " + config.namespace() + ": "
          + ObjectApplier.reason(e), e);
    }
    live = objects;
    Optional<OwnerReference> owner;
    try {
      owner = NamespaceClaim.read(client, config.namespace());
    } catch (KubernetesClientException e) {
      throw new TargetException("cannot read ConfigMap " + NamespaceClaim.NAME + ": " + ObjectApplier.reason(e), e);
    }
    if (owner.isEmpty() && claimRequired) {
      // deleted with the release, or by hand: what the agent wrote goes with it, and anything written
      // now would have no owner and outlive the release
      throw new TargetException("ConfigMap " + NamespaceClaim.NAME + " is missing or being deleted: nothing is"
          + " written until Helm puts it back (helm upgrade)");
    }
    if (hold != null) {
      hold.check(client, config.namespace(), owner);
    }
    this.owner = owner;
    applier.ownedBy(owner);
    applier.autoscaled(autoscaled.refresh());
    tokenSecret.ownedBy(owner);
    if (ingestTokens.isPresent()) {
      tokenSecret.refresh();
    }
  }

  /**
   * Before each write: the hold checked at the start of the pass must still last (a pass stopped
   * past it may meet another release's agent writing here), and is renewed once due.
   */
  private void requireHold() throws TargetException {
    if (hold != null) {
      hold.beforeWrite(client, config.namespace(), owner);
    }
  }

  /** This target's updates, by resourceVersion: its drift watch asks for no pass for them. */
  public WrittenVersions writtenVersions() {
    return written;
  }

  private static String key(Class<?> kind, String name) {
    return kind.getSimpleName() + "/" + name;
  }

  @Override
  public Set<String> integrations() throws TargetException {
    if (live == null) {
      refresh();
    }
    Set<String> names = new TreeSet<>();
    live.values().stream()
        .map(o -> o.getMetadata().getLabels().get(KubernetesNames.INTEGRATION_LABEL))
        .filter(java.util.Objects::nonNull)
        .forEach(names::add);
    if (ingestTokens.isPresent()) {
      names.addAll(tokenSecret.integrations()); // a token left by a removal cut short
    }
    return names;
  }

  /** Applies through the listed objects when there is a list, reading each object otherwise. */
  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> boolean apply(T desired) throws TargetException {
    if (live == null) {
      return applier.apply(desired);
    }
    String key = key(desired.getClass(), desired.getMetadata().getName());
    boolean changed = applier.applyKnown(desired, (T) live.get(key));
    if (changed) {
      live.put(key, desired);
    }
    return changed;
  }

  /**
   * Not checked in Kubernetes: reading Secrets would need {@code get} on every Secret of the
   * namespace, values included, which the agent's Role deliberately lacks. A missing Secret keeps
   * the pod from starting (the volume is not optional), and status reports it as not ready.
   */
  @Override
  public List<SecretRef> missingSecrets(Collection<SecretRef> refs) {
    return List.of();
  }

  @Override
  public boolean putIngestTokens(List<Integration> integrations) throws TargetException {
    if (ingestTokens.isEmpty()) {
      return false;
    }
    requireHold();
    Map<String, String> tokens = new TreeMap<>();
    integrations.forEach(i -> tokens.put(i.name(), ingestTokens.get().issue(i.project(), i.name())));
    return tokenSecret.putAll(tokens);
  }

  @Override
  public boolean putIntegration(Integration integration) throws TargetException {
    requireHold();
    for (SecretRef ref : integration.secrets()) {
      if (config.reservedSecrets().contains(ref.name())) {
        throw new TargetException("integration " + integration.name() + " declares Secret " + ref.name()
            + ", which holds the data plane's own credentials; it is never mounted into an integration's pod");
      }
    }
    String document = StateDocuments.integration(integration);
    Optional<String> token = ingestTokens.map(t -> t.issue(integration.project(), integration.name()));
    boolean changed = token.isPresent() && tokenSecret.put(integration.name(), token.get());
    ConfigMap configMap = objects.configMap(integration, document);
    String current = configMap.getMetadata().getName();
    List<String> previous = previousDocuments(liveDeployment(integration.name()), current);
    changed |= apply(configMap);
    changed |= apply(objects.deployment(integration, document, token, previous));
    changed |= apply(objects.service(integration));
    changed |= apply(objects.disruptionBudget(integration));
    List<String> kept = new ArrayList<>(previous);
    kept.add(current);
    changed |= deleteDocuments(integration.name(), kept);
    return changed;
  }

  /** Earlier documents kept at most, oldest dropped first: a rollout stuck through many versions. */
  static final int MAX_PREVIOUS_DOCUMENTS = 8;

  /**
   * The document ConfigMaps of earlier versions whose pods may still run: none once the live
   * Deployment is seen rolled out, else those it already lists; and the one it mounts when
   * {@code current} is a new version going out.
   */
  private static List<String> previousDocuments(Deployment live, String current) {
    if (live == null) {
      return List.of();
    }
    List<String> previous = new ArrayList<>(IntegrationObjects.rolledOut(live) ? List.of()
        : IntegrationObjects.previousDocumentsOf(live));
    String mounted = IntegrationObjects.documentConfigMapOf(live);
    if (mounted != null && !previous.contains(mounted)) {
      previous.add(mounted);
    }
    previous.remove(current);
    return List.copyOf(previous.subList(Math.max(0, previous.size() - MAX_PREVIOUS_DOCUMENTS), previous.size()));
  }

  private Deployment liveDeployment(String integration) throws TargetException {
    String name = KubernetesNames.objectName(integration);
    if (live != null) {
      return (Deployment) live.get(key(Deployment.class, name));
    }
    try {
      return client.apps().deployments().inNamespace(config.namespace()).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new TargetException("cannot read Deployment " + name + ": " + ObjectApplier.reason(e), e);
    }
  }

  /** Deletes the integration's document ConfigMaps but {@code keep}. */
  private boolean deleteDocuments(String integration, List<String> keep) throws TargetException {
    boolean changed = false;
    for (String name : documentConfigMaps(integration)) {
      if (!keep.contains(name)) {
        changed |= applier.delete(ConfigMap.class, config.namespace(), name);
        if (live != null) {
          live.remove(key(ConfigMap.class, name));
        }
      }
    }
    return changed;
  }

  /** The names of the agent's ConfigMaps of {@code integration}: its documents, and the one of older agents. */
  private List<String> documentConfigMaps(String integration) throws TargetException {
    if (live != null) {
      return live.values().stream().filter(o -> o instanceof ConfigMap)
          .filter(o -> integration.equals(o.getMetadata().getLabels().get(KubernetesNames.INTEGRATION_LABEL)))
          .map(o -> o.getMetadata().getName()).toList();
    }
    try {
      return client.configMaps().inNamespace(config.namespace())
          .withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)
          .withLabel(KubernetesNames.INTEGRATION_LABEL, integration)
          .list().getItems().stream().map(c -> c.getMetadata().getName()).toList();
    } catch (KubernetesClientException e) {
      throw new TargetException("cannot list the ConfigMaps of integration " + integration + ": " + ObjectApplier.reason(e), e);
    }
  }

  @Override
  public boolean putRoutes(RoutingTable routes) throws TargetException {
    requireHold();
    ConfigMap table = new ConfigMapBuilder()
        .withNewMetadata()
        .withName(KubernetesNames.ROUTES_CONFIG_MAP)
        .withNamespace(config.namespace())
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT,
            KubernetesNames.COMPONENT, "gateway-routes"))
        .endMetadata()
        .withData(Map.of(KubernetesNames.ROUTES_KEY, StateDocuments.routes(routes)))
        .build();
    return apply(table);
  }

  /** Each integration is its own Deployment. */
  @Override
  public boolean isolatesIntegrations() {
    return true;
  }

  @Override
  public Optional<String> projectOf(String integration) throws TargetException {
    if (live == null) {
      refresh();
    }
    HasMetadata deployment = live.get(key(Deployment.class, KubernetesNames.objectName(integration)));
    return deployment == null || deployment.getMetadata().getLabels() == null ? Optional.empty()
        : Optional.ofNullable(deployment.getMetadata().getLabels().get(KubernetesNames.PROJECT_LABEL));
  }

  @Override
  public Optional<RoutingTable> routes() throws TargetException {
    ConfigMap table;
    if (live != null) {
      table = (ConfigMap) live.get(key(ConfigMap.class, KubernetesNames.ROUTES_CONFIG_MAP));
    } else {
      try {
        table = client.configMaps().inNamespace(config.namespace()).withName(KubernetesNames.ROUTES_CONFIG_MAP).get();
      } catch (KubernetesClientException e) {
        throw new TargetException("cannot read ConfigMap " + KubernetesNames.ROUTES_CONFIG_MAP + ": "
            + ObjectApplier.reason(e), e);
      }
    }
    String json = table == null || table.getData() == null ? null : table.getData().get(KubernetesNames.ROUTES_KEY);
    try {
      return json == null ? Optional.empty() : Optional.of(StateCodec.readRoutingTable(json));
    } catch (InvalidStateException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean putTelemetry(Telemetry telemetry) throws TargetException {
    requireHold();
    return apply(new ConfigMapBuilder()
        .withNewMetadata()
        .withName(KubernetesNames.TELEMETRY_CONFIG_MAP)
        .withNamespace(config.namespace())
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT, KubernetesNames.COMPONENT, "telemetry"))
        .endMetadata()
        .withData(Map.of(KubernetesNames.TELEMETRY_KEY, StateDocuments.telemetry(telemetry)))
        .build());
  }

  @Override
  public boolean deleteIntegration(String name) throws TargetException {
    requireHold();
    String objectName = KubernetesNames.objectName(name);
    boolean changed = false;
    for (Class<? extends HasMetadata> kind : NAMED_KINDS) {
      changed |= applier.delete(kind, config.namespace(), objectName);
      if (live != null) {
        live.remove(key(kind, objectName));
      }
    }
    changed |= deleteDocuments(name, List.of());
    if (ingestTokens.isPresent()) {
      changed |= tokenSecret.remove(name);
    }
    return changed;
  }
}
