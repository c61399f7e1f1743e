package dev.outpost.agent.reconcile;

import static dev.outpost.agent.TestStates.integration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.TestStates;
import dev.outpost.agent.status.KubernetesStatusSource;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.model.Telemetry;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A route a revision moves to another integration (a rename, blue/green) keeps going to the one
 * that serves it until the new one serves, in the Kubernetes objects the gateway and the runtime
 * read (fabric8's mock API server, Deployment status set as the controller would).
 */
@EnableKubernetesMockClient(crud = true)
class RouteHandoverTest {
  static final String NS = "outpost";
  KubernetesClient client;

  @Test
  void aRenamedIntegrationTakesItsRouteOnlyOnceItServesAndTheOldOneGoesAPassLater() throws Exception {
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    Reconciler reconciler = new Reconciler(target, new KubernetesStatusSource(client, NS, Optional.empty()),
        Clock.systemUTC());
    Integration orders = integration("orders");
    assertThat(reconciler.reconcile(state(1, List.of(orders), route("r-orders", "/orders", "orders"))).succeeded())
        .isTrue();
    rolledOutAndReady("int-orders");

    DataPlaneState renamed = state(2, List.of(integration("orders-v2")), route("r-orders", "/orders", "orders-v2"));
    assertThat(reconciler.reconcile(renamed).succeeded()).isTrue();
    assertThat(servedBy(target, "r-orders")).isEqualTo("orders");
    assertThat(deployment("int-orders")).isTrue();
    assertThat(deployment("int-orders-v2")).isTrue();
    assertThat(reconciler.handingOver()).isTrue();

    // the new pods start: nothing moves yet
    assertThat(reconciler.reconcile(renamed).succeeded()).isTrue();
    assertThat(servedBy(target, "r-orders")).isEqualTo("orders");

    rolledOutAndReady("int-orders-v2");
    assertThat(reconciler.reconcile(renamed).succeeded()).isTrue();
    assertThat(servedBy(target, "r-orders")).isEqualTo("orders-v2");
    assertThat(deployment("int-orders")).as("kept while the gateway takes the new table").isTrue();
    assertThat(reconciler.handingOver()).isTrue();

    assertThat(reconciler.reconcile(renamed).succeeded()).isTrue();
    assertThat(deployment("int-orders")).isFalse();
    assertThat(servedBy(target, "r-orders")).isEqualTo("orders-v2");
    assertThat(reconciler.handingOver()).isFalse();
  }

  /**
   * Held only where holding serves the same callers the same way: not on an integration with no
   * ready pod, not when the route's path changes too, and never on another project's integration
   * (its callers' identity would reach that project).
   */
  @Test
  void aRouteMovesAtOnceWhenItsOldIntegrationDoesNotServeItOrBelongsToAnotherProject() throws Exception {
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
    Reconciler reconciler = new Reconciler(target, new KubernetesStatusSource(client, NS, Optional.empty()),
        Clock.systemUTC());
    Integration starting = integration("starting");
    Integration shop = integration("shop");
    Integration pathed = integration("pathed");
    assertThat(reconciler.reconcile(state(1, List.of(starting, shop, pathed), route("r-starting", "/s", "starting"),
        route("r-shop", "/shop", "shop"), route("r-pathed", "/p", "pathed"))).succeeded()).isTrue();
    rolledOutAndReady("int-shop");
    rolledOutAndReady("int-pathed");

    Integration billing = new Integration("billing", "billing", "v1", shop.source(), shop.config(), List.of(), 1,
        shop.resources());
    Route toBilling = new Route("r-shop", "billing", new RouteMatch("/shop", List.of(), List.of()), "billing", true,
        dev.outpost.spec.model.RouteAuth.anonymous(), null, Route.DEFAULT_TIMEOUT_MILLIS, 0, null,
        Route.DEFAULT_MAX_BODY_BYTES);
    DataPlaneState moved = state(2, List.of(integration("starting-2"), billing, integration("pathed-2")),
        route("r-starting", "/s", "starting-2"), toBilling, route("r-pathed", "/p2", "pathed-2"));
    assertThat(reconciler.reconcile(moved).succeeded()).isTrue();

    assertThat(servedBy(target, "r-starting")).isEqualTo("starting-2");
    assertThat(servedBy(target, "r-shop")).isEqualTo("billing");
    assertThat(servedBy(target, "r-pathed")).isEqualTo("pathed-2");
    assertThat(deployment("int-shop")).isFalse();
    assertThat(deployment("int-pathed")).isFalse();
  }

  private static String servedBy(KubernetesTarget target, String routeId) throws Exception {
    target.refresh();
    return target.routes().orElseThrow().routes().stream().filter(r -> r.id().equals(routeId)).findFirst()
        .orElseThrow().integration();
  }

  private boolean deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get() != null;
  }

  private static Route route(String id, String path, String integration) {
    Route model = TestStates.route(integration);
    return new Route(id, model.project(), new RouteMatch(path, List.of(), List.of()), integration,
        model.stripPrefix(), model.auth(), null, model.timeoutMillis(), 0, null, model.maxBodyBytes());
  }

  private static DataPlaneState state(long revision, List<Integration> integrations, Route... routes) {
    return new DataPlaneState(DataPlaneState.API_VERSION, revision, TestStates.DATA_PLANE, List.of(), integrations,
        List.of(routes), Telemetry.DEFAULT);
  }

  private void rolledOutAndReady(String deployment) {
    client.apps().deployments().inNamespace(NS).withName(deployment).editStatus(d -> {
      d.setStatus(new DeploymentStatus());
      d.getStatus().setReadyReplicas(1);
      d.getStatus().setUpdatedReplicas(1);
      d.getStatus().setReplicas(1);
      d.getStatus().setObservedGeneration(d.getMetadata().getGeneration());
      return d;
    });
  }
}
