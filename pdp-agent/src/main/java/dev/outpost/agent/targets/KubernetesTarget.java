package dev.outpost.agent.targets;

import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.SecretRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Kubernetes target: per integration a ConfigMap, a Deployment and a Service named {@code
 * int-<name>}, and the gateway's routing table in ConfigMap {@code outpost-gateway-routes}; all in
 * the agent's own namespace and labelled {@code app.kubernetes.io/managed-by: outpost-agent}.
 * The ConfigMap is written before the Deployment that mounts it, and the Deployment is deleted
 * before what it uses.
 */
public final class KubernetesTarget implements Target {
  private static final List<Class<? extends HasMetadata>> INTEGRATION_KINDS =
      List.of(Deployment.class, Service.class, ConfigMap.class);

  private final KubernetesClient client;
  private final KubernetesTargetConfig config;
  private final IntegrationObjects objects;
  private final ObjectApplier applier;
  /** What the last {@link #refresh()} listed, updated with this agent's writes; null before. */
  private Map<String, HasMetadata> live;

  public KubernetesTarget(KubernetesClient client, KubernetesTargetConfig config) {
    this.client = client;
    this.config = config;
    this.objects = new IntegrationObjects(config);
    this.applier = new ObjectApplier(client);
  }

  /**
   * Lists everything the agent manages (three list calls), so that a pass over a thousand
   * integrations that changes nothing sends no further request.
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
      throw new TargetException("cannot list the agent's objects in " + config.namespace() + ": " + e.getMessage(), e);
    }
    live = objects;
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
  public boolean putIntegration(Integration integration) throws TargetException {
    String document = StateDocuments.integration(integration);
    boolean changed = apply(objects.configMap(integration, document));
    changed |= apply(objects.deployment(integration, document));
    changed |= apply(objects.service(integration));
    return changed;
  }

  @Override
  public boolean putRoutes(RoutingTable routes) throws TargetException {
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

  @Override
  public boolean deleteIntegration(String name) throws TargetException {
    String objectName = KubernetesNames.objectName(name);
    boolean changed = false;
    for (Class<? extends HasMetadata> kind : INTEGRATION_KINDS) {
      changed |= applier.delete(kind, config.namespace(), objectName);
      if (live != null) {
        live.remove(key(kind, objectName));
      }
    }
    return changed;
  }
}
