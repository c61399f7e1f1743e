package dev.outpost.gateway.route;

import dev.outpost.gateway.config.GatewayConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Kubernetes mode: follows the ConfigMap {@code outpost-gateway-routes} (key {@code routes.json})
 * with a fabric8 informer. Every add or update is read like the local file; a document that does
 * not read leaves the table in use, and a deleted ConfigMap changes nothing (the agent never
 * deletes it while routes are desired).
 */
@ApplicationScoped
public class RoutesConfigMapSource {

  /** The key of the ConfigMap holding the routing table. */
  public static final String KEY = "routes.json";
  private static final Logger LOG = Logger.getLogger(RoutesConfigMapSource.class);

  private final GatewayConfig config;
  private final RouteTableHolder holder;
  private KubernetesClient client;
  private SharedIndexInformer<ConfigMap> informer;

  RoutesConfigMapSource(GatewayConfig config, RouteTableHolder holder) {
    this.config = config;
    this.holder = holder;
  }

  void start(@Observes StartupEvent event) {
    if (config.mode() == GatewayConfig.Mode.KUBERNETES) {
      client = new KubernetesClientBuilder().build();
      informer = watch(client, config.namespace(), config.routesConfigMap(), holder);
    }
  }

  void stop(@Observes ShutdownEvent event) {
    if (informer != null) {
      informer.close();
    }
    if (client != null) {
      client.close();
    }
  }

  /**
   * Starts the informer on {@code namespace/name}, applying each version of its {@code routes.json} to
   * {@code holder}, and returns at once. An API server out of reach is retried for ever (fabric8's
   * backoff, up to about 30 s apart), the gateway alive and not ready until the first list: fabric8
   * gives up on a first list that fails, which failed the gateway's start, and a pod in
   * CrashLoopBackOff stayed down for minutes after the API server was back.
   */
  static SharedIndexInformer<ConfigMap> watch(KubernetesClient client, String namespace, String name, RouteTableHolder holder) {
    SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace).withName(name).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ConfigMap map) {
        apply(map);
      }

      @Override
      public void onUpdate(ConfigMap old, ConfigMap map) {
        apply(map);
      }

      @Override
      public void onDelete(ConfigMap map, boolean unknownFinalState) {
        LOG.warnf("ConfigMap %s/%s deleted: the routing table in use stays", namespace, name);
      }

      private void apply(ConfigMap map) {
        String json = map.getData() == null ? null : map.getData().get(KEY);
        if (json == null) {
          holder.refused();
          LOG.errorf("ConfigMap %s/%s has no key %s: the routing table in use stays", namespace, name, KEY);
          return;
        }
        try {
          holder.replace(RoutingTableReader.read(json));
        } catch (IllegalArgumentException e) {
          holder.refused();
          LOG.errorf("ConfigMap %s/%s refused, the routing table in use stays: %s", namespace, name, e.getMessage());
        }
      }
    });
    informer.exceptionHandler((started, failure) -> {
      if (!holder.loaded()) { // fabric8 logs each failure itself; this says what it means here
        LOG.warnf("cannot read ConfigMap %s/%s yet, retrying; not ready until then", namespace, name);
      }
      return true;
    });
    informer.start().whenComplete((synced, failure) -> {
      // the first list has been handled: an empty store is a fresh install
      if (failure == null && informer.getStore().list().isEmpty()) {
        LOG.infof("no ConfigMap %s/%s yet: every request answers 404 until the agent writes it", namespace, name);
        holder.nothingToLoad();
      }
    });
    return informer;
  }
}
