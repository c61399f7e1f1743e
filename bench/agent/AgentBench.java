import dev.outpost.agent.DesiredStateKeeper;
import dev.outpost.agent.audit.AuditLog;
import dev.outpost.agent.link.ControlPlaneLink;
import dev.outpost.agent.link.LinkOptions;
import dev.outpost.agent.reconcile.ReconcileResult;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.snapshot.FileAppliedStore;
import dev.outpost.agent.status.LocalStatusSource;
import dev.outpost.agent.status.StatusOutbox;
import dev.outpost.agent.status.StatusReporter;
import dev.outpost.agent.targets.AtomicFiles;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.agent.targets.LocalTarget;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteAuth;
import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.model.Telemetry;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.MalformedFrameException;
import dev.outpost.spec.protocol.Nack;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.SnapshotAcceptance;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.signature.SnapshotVerifier;
import dev.outpost.spec.state.StateCodec;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * pdp-agent benchmarks, each against a reference measured in the same run:
 *  1. snapshot sent by a control plane -> agent applied it to the local target -> ack received,
 *     over a real WebSocket on loopback (verify, validate, atomic fsynced writes, persist);
 *     reference: the same file writes alone (AtomicFiles, fsync).
 *  2. reconcile 1,000 integrations into fabric8's mock API server (CRUD mode) from empty, then
 *     again with nothing to change; reference: 3,000 bare ConfigMap creates on the same server.
 */
public class AgentBench {
  static final String DP = "bench";

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int integrations = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    snapshotToApplied(rounds);
    kubernetesReconcile(integrations);
    System.exit(0);
  }

  static Integration integration(String name, String version) {
    String source = "- route:\n    id: " + name + "\n    from:\n      uri: platform-http:/" + name
        + "\n      steps:\n        - setBody:\n            constant: hello from " + name + "\n";
    return new Integration(name, "bench", version, source, Map.of("GREETING", "hi"), List.of(), 1, null);
  }

  static DataPlaneState state(long revision, int count, String changedVersion) {
    List<Integration> integrations = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = "int-" + i;
      integrations.add(integration(name, i == 0 ? changedVersion : "1"));
      routes.add(new Route("r-" + i, "bench", new RouteMatch("/" + name, List.of(), List.of()), name, true,
          RouteAuth.anonymous(), null, Route.DEFAULT_TIMEOUT_MILLIS, 0, null, Route.DEFAULT_MAX_BODY_BYTES));
    }
    return new DataPlaneState(DataPlaneState.API_VERSION, revision, DP, List.of(), integrations, routes, Telemetry.DEFAULT);
  }

  // ---------------------------------------------------------------- 1. snapshot -> applied (local)

  static void snapshotToApplied(int rounds) throws Exception {
    Path home = Files.createTempDirectory("agent-bench-");
    SnapshotSigner signer = new SnapshotSigner(Ed25519Keys.generate());
    Vertx vertx = Vertx.vertx();
    BlockingQueue<String> fromAgent = new ArrayBlockingQueue<>(1000);
    ServerWebSocket[] agentSocket = new ServerWebSocket[1];
    var server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setMaxWebSocketMessageSize(ProtocolCodec.MAX_FRAME_BYTES));
    server.requestHandler(r -> r.toWebSocket().onSuccess(ws -> {
      agentSocket[0] = ws;
      ws.textMessageHandler(fromAgent::add);
    }));
    server.listen().toCompletionStage().toCompletableFuture().get();

    Clock clock = Clock.systemUTC();
    AuditLog audit = e -> { };
    DesiredStateKeeper keeper = new DesiredStateKeeper(DP,
        new SnapshotAcceptance(new SnapshotVerifier(signer.keys().getPublic()), DP), new FileAppliedStore(home),
        new Reconciler(new LocalTarget(home), clock), audit,
        new StatusReporter(DP, new LocalStatusSource(URI.create("http://127.0.0.1:1"), Optional.empty()), clock), clock);
    ControlPlaneLink link = new ControlPlaneLink(vertx, new LinkOptions(
        URI.create("ws://127.0.0.1:" + server.actualPort() + "/v1/connect"), "t", Optional.empty(), Optional.empty(),
        Duration.ofSeconds(30), Duration.ofSeconds(90), DP, "bench", List.of("local")),
        keeper, new StatusOutbox(), Executors.newSingleThreadExecutor(), new Random(1));
    link.start();
    while (agentSocket[0] == null) {
      Thread.sleep(10);
    }

    int size = 10;
    long[] sendToAck = new long[rounds];
    long[] signing = new long[rounds];
    int warmup = Math.min(50, rounds / 4);
    for (int r = -warmup; r < rounds; r++) {
      long revision = r + warmup + 1;
      DataPlaneState state = state(revision, size, "v" + revision);
      long t0 = System.nanoTime();
      String frame = ProtocolCodec.encode(Snapshot.signed(StateCodec.toTree(state), signer));
      long t1 = System.nanoTime();
      agentSocket[0].writeTextMessage(frame);
      while (true) {
        String reply = fromAgent.poll(10, TimeUnit.SECONDS);
        if (reply == null) {
          throw new IllegalStateException("no ack for revision " + revision);
        }
        ProtocolMessage message = ProtocolCodec.decode(reply);
        if (message instanceof Nack nack) {
          throw new IllegalStateException("nack: " + nack.errors());
        }
        if (message instanceof Ack ack && ack.revision() == revision) {
          break;
        }
      }
      long t2 = System.nanoTime();
      if (r >= 0) {
        sendToAck[r] = t2 - t1;
        signing[r] = t1 - t0;
      }
    }
    // reference: the writes the apply does (one integration, routes.json, applied.json), fsynced, alone
    long[] reference = new long[rounds];
    Path refDir = Files.createTempDirectory("agent-bench-ref-");
    byte[] integrationDoc = StateCodec.toJson(integration("int-0", "x")).getBytes(StandardCharsets.UTF_8);
    byte[] routesDoc = StateCodec.toJson(dev.outpost.spec.model.RoutingTable.of(state(1, size, "x"))).getBytes(StandardCharsets.UTF_8);
    for (int r = 0; r < rounds; r++) {
      byte[] changed = (new String(integrationDoc, StandardCharsets.UTF_8) + " ".repeat(r % 2)).getBytes(StandardCharsets.UTF_8);
      long t0 = System.nanoTime();
      AtomicFiles.write(refDir.resolve("integrations-int-0.json"), changed);
      AtomicFiles.write(refDir.resolve("routes.json"), (new String(routesDoc, StandardCharsets.UTF_8) + r).getBytes(StandardCharsets.UTF_8));
      AtomicFiles.write(refDir.resolve("applied.json"), (r + new String(routesDoc, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
      reference[r] = System.nanoTime() - t0;
    }
    link.close();
    vertx.close();
    System.out.printf("%n1. snapshot -> applied to the local target -> ack (state of %d integrations, one changing; %d rounds)%n",
        size, rounds);
    print("   agent share: CP sends frame -> ack received", sendToAck);
    print("   (CP side, not agent) sign + encode the frame", signing);
    print("   reference: the same 3 atomic fsynced file writes alone", reference);
    System.out.printf("   agent share p50 is %.1fx the bare writes; target <= 100 ms%n",
        percentile(sendToAck, 50) / percentile(reference, 50));
  }

  // ---------------------------------------------------------------- 2. Kubernetes reconcile

  static void kubernetesReconcile(int count) throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init();
    KubernetesClient client = server.createClient();
    String ns = "outpost";
    KubernetesTarget target = new KubernetesTarget(client, KubernetesTargetConfig.of(ns, "img:1", "IfNotPresent"));
    Reconciler reconciler = new Reconciler(target, Clock.systemUTC());
    DataPlaneState desired = state(1, count, "1");

    long t0 = System.nanoTime();
    ReconcileResult fromEmpty = reconciler.reconcile(desired);
    long t1 = System.nanoTime();
    ReconcileResult unchanged = reconciler.reconcile(desired);
    long t2 = System.nanoTime();
    if (!fromEmpty.succeeded() || !unchanged.succeeded()) {
      throw new IllegalStateException("reconcile failed: " + fromEmpty.message() + " / " + unchanged.message());
    }
    // reference: 3 objects per integration, created bare with one POST each (no reads, no comparison)
    long t3 = System.nanoTime();
    for (int i = 0; i < 3 * count; i++) {
      client.configMaps().inNamespace("reference").resource(new ConfigMapBuilder().withNewMetadata()
          .withName("ref-" + i).endMetadata().withData(Map.of("k", "v")).build()).create();
    }
    long t4 = System.nanoTime();
    client.close();
    server.destroy();
    System.out.printf("%n2. reconcile %d integrations (Deployment + Service + ConfigMap each, + routes) into fabric8's mock API server%n", count);
    System.out.printf("   from empty:          %8.2f s  (%d objects written; target <= 30 s)%n",
        (t1 - t0) / 1e9, fromEmpty.changes());
    System.out.printf("   nothing to change:   %8.2f s  (%d objects written; target <= 3 s)%n", (t2 - t1) / 1e9, unchanged.changes());
    System.out.printf("   reference: %d bare ConfigMap creates on the same server: %.2f s%n", 3 * count, (t4 - t3) / 1e9);
  }

  // ---------------------------------------------------------------- figures

  static double percentile(long[] nanos, double p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = (int) Math.min(sorted.length - 1, Math.round(p / 100 * (sorted.length - 1)));
    return sorted[index] / 1e6;
  }

  static void print(String label, long[] nanos) {
    System.out.printf("%-58s p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms%n", label, percentile(nanos, 50),
        percentile(nanos, 90), percentile(nanos, 99));
  }
}
