package dev.outpost.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.TestRoutes;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.state.StateCodec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The routes ConfigMap followed with an informer against fabric8's Kubernetes mock server. */
@EnableKubernetesMockClient(crud = true)
class RoutesConfigMapSourceTest {

  KubernetesClient client;

  private static ConfigMap map(String json) {
    return new ConfigMapBuilder().withNewMetadata().withName("outpost-gateway-routes").withNamespace("outpost").endMetadata()
        .addToData(RoutesConfigMapSource.KEY, json).build();
  }

  private static String table(long revision, int routes) {
    List<dev.outpost.spec.model.Route> list = new java.util.ArrayList<>();
    for (int i = 0; i < routes; i++) {
      list.add(TestRoutes.publicRoute("r" + i, "/r" + i, true));
    }
    return StateCodec.toJson(new RoutingTable(revision, List.of(), list));
  }

  @Test
  void eachVersionOfTheConfigMapIsAppliedAndABadOneIsRefused() throws Exception {
    RouteTableHolder holder = new RouteTableHolder();
    client.configMaps().inNamespace("outpost").resource(map(table(3, 1))).create();
    SharedIndexInformer<ConfigMap> informer = RoutesConfigMapSource.watch(client, "outpost", "outpost-gateway-routes", holder);
    try {
      await(() -> holder.current().revision() == 3);
      assertThat(holder.current().size()).isEqualTo(1);

      client.configMaps().inNamespace("outpost").resource(map(table(4, 3))).update();
      await(() -> holder.current().revision() == 4);
      assertThat(holder.current().match(null, "GET", "/r2/x").id()).isEqualTo("r2");

      client.configMaps().inNamespace("outpost").resource(map("{\"revision\": 5, \"routes\": [{\"id\": \"BAD ID\"}]}")).update();
      await(() -> holder.refusals() == 1);
      assertThat(holder.current().revision()).as("an invalid table is refused").isEqualTo(4);
      client.configMaps().inNamespace("outpost").resource(map(table(6, 2))).update();
      await(() -> holder.current().revision() == 6);
      assertThat(holder.current().size()).isEqualTo(2);
      assertThat(holder.refusals()).as("counted once, for the metrics").isEqualTo(1);
    } finally {
      informer.close();
    }
  }

  /**
   * A gateway that found a table it refuses serves nothing and is not ready, so that a rolling
   * update stops at it; one that found no ConfigMap (a fresh install) is ready, and answers 404.
   */
  @Test
  void aGatewayIsReadyOnceItServesTheTableItsConfigMapHoldsOrThereIsNone() throws Exception {
    RouteTableHolder none = new RouteTableHolder();
    SharedIndexInformer<ConfigMap> empty = RoutesConfigMapSource.watch(client, "outpost", "outpost-gateway-routes", none);
    try {
      await(() -> new RoutingTableReadiness(none).call().getStatus() == HealthCheckResponse.Status.UP);
    } finally {
      empty.close();
    }

    RouteTableHolder holder = new RouteTableHolder();
    client.configMaps().inNamespace("outpost").resource(map("{\"revision\": 5, \"routes\": [{\"id\": \"BAD ID\"}]}")).create();
    SharedIndexInformer<ConfigMap> informer = RoutesConfigMapSource.watch(client, "outpost", "outpost-gateway-routes", holder);
    try {
      await(() -> holder.refusals() == 1);
      assertThat(new RoutingTableReadiness(holder).call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
      client.configMaps().inNamespace("outpost").resource(map(table(6, 2))).update();
      await(() -> holder.current().revision() == 6);
      assertThat(new RoutingTableReadiness(holder).call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    } finally {
      informer.close();
    }
  }

  /**
   * The ConfigMap's content is what is served, even at a lower revision: a data plane registered
   * anew counts from 1 again, and running gateways kept the old table (while new pods took the new one).
   */
  @Test
  void aLowerRevisionInTheConfigMapReplacesTheTable() throws Exception {
    RouteTableHolder holder = new RouteTableHolder();
    client.configMaps().inNamespace("outpost").resource(map(table(57, 1))).create();
    SharedIndexInformer<ConfigMap> informer = RoutesConfigMapSource.watch(client, "outpost", "outpost-gateway-routes", holder);
    try {
      await(() -> holder.current().revision() == 57);
      client.configMaps().inNamespace("outpost").resource(map(table(1, 3))).update();
      await(() -> holder.current().revision() == 1);
      assertThat(holder.current().match(null, "GET", "/r2/x").id()).isEqualTo("r2");
    } finally {
      informer.close();
    }
  }

  /**
   * An API server out of reach when the gateway starts (a control-plane upgrade, a network policy
   * not yet in place): the gateway stays up and not ready, and serves once it can read the ConfigMap.
   * fabric8's informer gave up on a first list that failed, the startup failed with it, and the pod
   * went into CrashLoopBackOff, down for minutes after the API server was back.
   */
  @Test
  void anApiServerOutOfReachAtStartLeavesTheGatewayNotReadyUntilItCanBeRead() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    RouteTableHolder holder = new RouteTableHolder();
    try (KubernetesClient early = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
        new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("http://127.0.0.1:" + port)
            .withRequestRetryBackoffLimit(0).withWatchReconnectInterval(100).build()).build()) {
      SharedIndexInformer<ConfigMap> informer = RoutesConfigMapSource.watch(early, "outpost", "outpost-gateway-routes", holder);
      io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server = null;
      try {
        Thread.sleep(500); // a few lists fail
        assertThat(new RoutingTableReadiness(holder).call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        server = new io.fabric8.kubernetes.client.server.mock.KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
            new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
            new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
        server.init(java.net.InetAddress.getLoopbackAddress(), port);
        try (KubernetesClient admin = server.createClient()) {
          admin.configMaps().inNamespace("outpost").resource(map(table(3, 2))).create();
        }
        await(() -> holder.current().revision() == 3);
        assertThat(new RoutingTableReadiness(holder).call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
      } finally {
        informer.close();
        if (server != null) {
          server.destroy();
        }
      }
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("condition met in time").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
