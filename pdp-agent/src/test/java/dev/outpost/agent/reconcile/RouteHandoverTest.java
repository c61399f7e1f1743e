package dev.outpost.agent.reconcile;

import static dev.outpost.agent.TestStates.integration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.TestStates;
import dev.outpost.agent.status.KubernetesStatusSource;
import dev.outpost.agent.status.LocalStatusSource;
import dev.outpost.agent.status.StatusReporter;
import dev.outpost.agent.targets.ForwardingTarget;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.agent.targets.LocalTarget;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.model.Telemetry;
import dev.outpost.spec.protocol.Status;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route a revision moves to another integration (a rename, blue/green) keeps going to the one
 * that serves it until the new one serves, in the Kubernetes objects the gateway and the runtime
 * read (fabric8's mock API server, Deployment status set as the controller would).
 */
@EnableKubernetesMockClient(crud = true)
class RouteHandoverTest {
  static final String NS = "outpost";
  KubernetesClient client;
  @TempDir Path home;

  /** A clock the test moves on. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-12-05T10:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TestClock clock = new TestClock();

  @Test
  void aRenamedIntegrationTakesItsRouteOnlyOnceItServesAndTheOldOneGoesOnceTheGatewayHasTheTable() throws Exception {
    KubernetesTarget target = target();
    KubernetesStatusSource source = new KubernetesStatusSource(client, NS, Optional.empty());
    Reconciler reconciler = new Reconciler(target, source, clock);
    assertThat(reconciler.reconcile(state(1, List.of(integration("orders")), route("r-orders", "/orders", "orders")))
        .succeeded()).isTrue();
    rolledOutAndReady("int-orders");

    DataPlaneState renamed = state(2, List.of(integration("orders-v2")), route("r-orders", "/orders", "orders-v2"));
    assertThat(reconciler.reconcile(renamed).succeeded()).isTrue();
    assertThat(servedBy(target, "r-orders")).isEqualTo("orders");
    assertThat(deployment("int-orders")).isTrue();
    assertThat(deployment("int-orders-v2")).isTrue();
    assertThat(reconciler.handingOver()).isTrue();
    Status status = new StatusReporter("dp", source, clock).observe(renamed, 2, 2, reconciler.waitingRoutes(), java.util.Map.of());
    assertThat(status.integrations().get(0).message()).as("the control plane is told")
        .contains("r-orders stay on their previous integration");

    // the new pods start: nothing moves yet
    clock.advance(Duration.ofSeconds(10));
    assertThat(reconciler.reconcile(renamed).succeeded()).isTrue();
    assertThat(servedBy(target, "r-orders")).isEqualTo("orders");

    rolledOutAndReady("int-orders-v2");
    assertThat(reconciler.reconcile(renamed).succeeded()).isTrue();
    assertThat(servedBy(target, "r-orders")).isEqualTo("orders-v2");
    assertThat(reconciler.handingOver()).isTrue();
    assertThat(reconciler.reconcile(renamed).succeeded()).isTrue();
    assertThat(deployment("int-orders")).as("kept while the gateway takes the new table").isTrue();

    clock.advance(RouteHandover.DRAIN);
    assertThat(reconciler.reconcile(renamed).succeeded()).isTrue();
    assertThat(deployment("int-orders")).isFalse();
    assertThat(servedBy(target, "r-orders")).isEqualTo("orders-v2");
    assertThat(reconciler.handingOver()).isFalse();
  }

  /**
   * Held only where holding serves the same callers the same way: not on an integration with no
   * ready pod, not when the route's path changes too, not for an integration asked for with no
   * replicas, and never on an integration the state gives to another project (a name reused: the
   * route's callers and their identity would reach that project).
   */
  @Test
  void aRouteMovesAtOnceWhenHoldingItWouldNotServeItsCallersAsBefore() throws Exception {
    KubernetesTarget target = target();
    Reconciler reconciler = new Reconciler(target, new KubernetesStatusSource(client, NS, Optional.empty()), clock);
    Integration orders = integration("orders");
    assertThat(reconciler.reconcile(state(1, List.of(integration("starting"), orders, integration("pathed"),
            integration("scaled")), route("r-starting", "/s", "starting"), route("r-orders", "/orders", "orders"),
        route("r-pathed", "/p", "pathed"), route("r-scaled", "/c", "scaled"))).succeeded()).isTrue();
    rolledOutAndReady("int-orders");
    rolledOutAndReady("int-pathed");
    rolledOutAndReady("int-scaled");

    // another project takes the name "orders" as shop's route moves to "orders-shop"
    Integration billing = new Integration("orders", "billing", "v9", orders.source(), orders.config(), List.of(), 1,
        orders.resources());
    Integration idle = integration("scaled-2");
    Integration none = new Integration(idle.name(), idle.project(), idle.version(), idle.source(), idle.config(),
        List.of(), 0, idle.resources());
    DataPlaneState moved = state(2, List.of(integration("starting-2"), billing, integration("orders-shop"),
            integration("pathed-2"), none),
        route("r-starting", "/s", "starting-2"), route("r-orders", "/orders", "orders-shop"),
        route("r-pathed", "/p2", "pathed-2"), route("r-scaled", "/c", "scaled-2"));
    assertThat(reconciler.reconcile(moved).succeeded()).isTrue();

    assertThat(servedBy(target, "r-starting")).isEqualTo("starting-2");
    assertThat(servedBy(target, "r-orders")).isEqualTo("orders-shop");
    assertThat(servedBy(target, "r-pathed")).isEqualTo("pathed-2");
    assertThat(servedBy(target, "r-scaled")).isEqualTo("scaled-2");
    assertThat(deployment("int-starting")).as("kept while the gateway takes the new table").isTrue();
    assertThat(deployment("int-pathed")).isFalse();
  }

  /** Past ten minutes (Kubernetes' progress deadline) the new integration takes the route, served or not. */
  @Test
  void aRouteIsHeldAtMostTenMinutes() throws Exception {
    KubernetesTarget target = target();
    Reconciler reconciler = new Reconciler(target, new KubernetesStatusSource(client, NS, Optional.empty()), clock);
    reconciler.reconcile(state(1, List.of(integration("a")), route("r", "/a", "a")));
    rolledOutAndReady("int-a");
    DataPlaneState moved = state(2, List.of(integration("b")), route("r", "/a", "b"));
    reconciler.reconcile(moved);
    assertThat(servedBy(target, "r")).isEqualTo("a");

    clock.advance(RouteHandover.MAX_HOLD.minusSeconds(1));
    reconciler.reconcile(moved);
    assertThat(servedBy(target, "r")).isEqualTo("a");
    clock.advance(Duration.ofSeconds(1));
    reconciler.reconcile(moved);
    assertThat(servedBy(target, "r")).isEqualTo("b");
  }

  /** What runs cannot be read for a while: a route held stays held, rather than moving to pods not ready. */
  @Test
  void aStatusThatCannotBeReadKeepsTheHold() throws Exception {
    KubernetesTarget target = target();
    FlakyStatus status = new FlakyStatus(new KubernetesStatusSource(client, NS, Optional.empty()));
    Reconciler reconciler = new Reconciler(target, status, clock);
    reconciler.reconcile(state(1, List.of(integration("a")), route("r", "/a", "a")));
    rolledOutAndReady("int-a");
    DataPlaneState moved = state(2, List.of(integration("b")), route("r", "/a", "b"));
    reconciler.reconcile(moved);
    assertThat(servedBy(target, "r")).isEqualTo("a");

    status.down = true;
    reconciler.reconcile(moved);
    assertThat(servedBy(target, "r")).isEqualTo("a");
    assertThat(deployment("int-a")).isTrue();
  }

  /**
   * A revision that fails after the routing table was written is put back: the routes the enforced
   * revision held stay held, though the failed revision's table no longer had them.
   */
  @Test
  void aFailedRevisionPutBackKeepsTheHolds() throws Exception {
    FailingTelemetry target = new FailingTelemetry(target());
    Reconciler reconciler = routeHeldOnAWhileItMovesToB(target);
    DataPlaneState moved = MOVED;

    target.failing = true;
    assertThat(reconciler.reconcile(state(3, List.of(integration("b")))).succeeded()).isFalse();
    target.failing = false;
    assertThat(reconciler.reconcile(moved).succeeded()).as("put back").isTrue();
    assertThat(servedBy(target.delegate, "r")).isEqualTo("a");
    assertThat(deployment("int-a")).isTrue();
  }

  /** Revision 2 of the held cases: route r moves from integration a to b, which does not serve yet. */
  private static final DataPlaneState MOVED = state(2, List.of(integration("b")), route("r", "/a", "b"));

  /** A reconciler that applied revision 1 (r on a, which serves) and {@link #MOVED}, which holds r on a. */
  private Reconciler routeHeldOnAWhileItMovesToB(FailingTelemetry target) throws Exception {
    Reconciler reconciler = new Reconciler(target, new KubernetesStatusSource(client, NS, Optional.empty()), clock);
    reconciler.reconcile(state(1, List.of(integration("a")), route("r", "/a", "a")));
    rolledOutAndReady("int-a");
    reconciler.reconcile(MOVED);
    assertThat(servedBy(target.delegate, "r")).isEqualTo("a");
    return reconciler;
  }

  /**
   * A failed revision that gave the name a route is held on to another project wrote that project's
   * integration there before it failed: the put-back does not hold the route on it, which sent the
   * route's callers, their payloads and identity headers, to the other project's code.
   */
  @Test
  void aFailedRevisionThatGaveTheHeldNameToAnotherProjectDoesNotKeepTheRouteThere() throws Exception {
    FailingTelemetry target = new FailingTelemetry(target());
    Reconciler reconciler = routeHeldOnAWhileItMovesToB(target);
    DataPlaneState moved = MOVED;

    Integration a = integration("a");
    Integration billing = new Integration("a", "billing", "v9", a.source(), a.config(), List.of(), 1, a.resources());
    target.failing = true;
    assertThat(reconciler.reconcile(state(3, List.of(integration("b"), billing), route("r", "/a", "b")))
        .succeeded()).isFalse();
    target.failing = false;
    assertThat(client.apps().deployments().inNamespace(NS).withName("int-a").get().getMetadata().getLabels())
        .as("written by the failed pass").containsEntry("outpost.dev/project", "billing");
    rolledOutAndReady("int-a"); // billing's pods serve
    assertThat(reconciler.reconcile(moved).succeeded()).as("put back").isTrue();

    assertThat(servedBy(target.delegate, "r")).isEqualTo("b");
    clock.advance(RouteHandover.DRAIN);
    reconciler.reconcile(moved);
    assertThat(deployment("int-a")).as("not revision 2's, and no route holds it").isFalse();
  }

  /**
   * In one local runtime two integrations cannot serve the same paths, so the new one could not
   * start beside the old one: the route moves at once and the old integration goes in that pass.
   */
  @Test
  void locallyARouteMovesAtOnce() throws Exception {
    LocalTarget target = new LocalTarget(home);
    Reconciler reconciler = new Reconciler(target,
        new LocalStatusSource(URI.create("http://127.0.0.1:9"), Optional.empty()), clock);
    reconciler.reconcile(state(1, List.of(integration("a")), route("r", "/a", "a")));
    reconciler.reconcile(state(2, List.of(integration("b")), route("r", "/a", "b")));

    assertThat(target.routes().orElseThrow().routes().get(0).integration()).isEqualTo("b");
    assertThat(target.integrations()).containsExactly("b");
    assertThat(reconciler.handingOver()).isFalse();
  }

  /** A status source that reads nothing while {@code down}, as one whose list calls fail. */
  static final class FlakyStatus implements dev.outpost.agent.status.StatusSource {
    final dev.outpost.agent.status.StatusSource delegate;
    volatile boolean down;

    FlakyStatus(dev.outpost.agent.status.StatusSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public dev.outpost.agent.status.IntegrationsSeen integrations() {
      return down ? dev.outpost.agent.status.IntegrationsSeen.unreadable("Pending", "down") : delegate.integrations();
    }

    @Override
    public dev.outpost.agent.status.RoutesStatus routes() {
      return delegate.routes();
    }
  }

  /** The real target, whose telemetry write fails while {@code failing}: a pass that fails after the routes. */
  static final class FailingTelemetry extends ForwardingTarget {
    final KubernetesTarget delegate;
    boolean failing;

    FailingTelemetry(KubernetesTarget delegate) {
      super(delegate);
      this.delegate = delegate;
    }

    @Override
    public boolean putTelemetry(Telemetry telemetry) throws TargetException {
      if (failing) {
        throw new TargetException("the API server refused ConfigMap outpost-telemetry");
      }
      return super.putTelemetry(telemetry);
    }
  }

  private KubernetesTarget target() {
    return new KubernetesTarget(client, KubernetesTargetConfig.of(NS, "img:1", "IfNotPresent"));
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
