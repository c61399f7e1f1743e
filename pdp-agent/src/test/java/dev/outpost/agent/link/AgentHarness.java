package dev.outpost.agent.link;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.agent.DesiredStateKeeper;
import dev.outpost.agent.RetryBackoff;
import dev.outpost.agent.audit.AuditEvent;
import dev.outpost.agent.audit.AuditLog;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.snapshot.AppliedStore;
import dev.outpost.agent.snapshot.FileAppliedStore;
import dev.outpost.agent.status.LocalStatusSource;
import dev.outpost.agent.status.StatusOutbox;
import dev.outpost.agent.status.StatusReporter;
import dev.outpost.agent.status.StatusSource;
import dev.outpost.agent.targets.LocalTarget;
import dev.outpost.agent.targets.Target;
import dev.outpost.spec.protocol.SnapshotAcceptance;
import dev.outpost.spec.signature.SnapshotVerifier;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One agent as the app wires it — local target in a temporary home, file store, status from a
 * runtime management endpoint — connected to a {@link TestControlPlane}. Audit events are kept in
 * memory (the OTLP delivery itself has its own test).
 */
public final class AgentHarness implements AutoCloseable {
  public final Path home;
  public final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
  public final DesiredStateKeeper keeper;
  public final ControlPlaneLink link;
  /** The target, whose write of an integration named {@link HeldApply#HELD} waits for the test. */
  final HeldApply held;
  private final ExecutorService worker = Executors.newSingleThreadExecutor();
  /** Asks the keeper for a failed apply that is due, as the app's apply thread does each second. */
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
  /** How a failed apply waits here: short, so that tests see retries. */
  public static final RetryBackoff RETRY = new RetryBackoff(Duration.ofMillis(200), Duration.ofMillis(800));
  private final HttpServer runtime;
  /** What the fake runtime's {@code GET /outpost/integrations} answers. */
  public volatile String runtimeStatus = "[]";

  public AgentHarness(Vertx vertx, Path home, String controlPlaneUrl, PublicKey pinned, Duration ping,
      Duration liveness) throws IOException {
    this(vertx, home, controlPlaneUrl, pinned, ping, liveness, null, null, null);
  }

  /** An agent that trusts the PEM certificates of {@code caFile} for {@code wss://}, as the setting of that name. */
  public AgentHarness(Vertx vertx, Path home, String controlPlaneUrl, PublicKey pinned, Duration ping,
      Duration liveness, Optional<Path> caFile) throws IOException {
    this(vertx, home, controlPlaneUrl, List.of(pinned), ping, liveness, null, null, null,
        LinkOptions.DEFAULT_MAX_UNSENT_CHARS, caFile);
  }

  /** An agent over the given target, store and status source (null: the local ones under home). */
  public AgentHarness(Vertx vertx, Path home, String controlPlaneUrl, PublicKey pinned, Duration ping,
      Duration liveness, Target target, AppliedStore store, StatusSource source) throws IOException {
    this(vertx, home, controlPlaneUrl, List.of(pinned), ping, liveness, target, store, source);
  }

  /** An agent trusting several control-plane keys (a key rotation). */
  public AgentHarness(Vertx vertx, Path home, String controlPlaneUrl, List<PublicKey> pinned, Duration ping,
      Duration liveness, Target target, AppliedStore store, StatusSource source) throws IOException {
    this(vertx, home, controlPlaneUrl, pinned, ping, liveness, target, store, source,
        LinkOptions.DEFAULT_MAX_UNSENT_CHARS);
  }

  /** An agent that keeps at most {@code maxUnsentChars} waiting for a control plane that does not read. */
  public AgentHarness(Vertx vertx, Path home, String controlPlaneUrl, List<PublicKey> pinned, Duration ping,
      Duration liveness, Target target, AppliedStore store, StatusSource source, long maxUnsentChars)
      throws IOException {
    this(vertx, home, controlPlaneUrl, pinned, ping, liveness, target, store, source, maxUnsentChars, Optional.empty());
  }

  private AgentHarness(Vertx vertx, Path home, String controlPlaneUrl, List<PublicKey> pinned, Duration ping,
      Duration liveness, Target target, AppliedStore store, StatusSource source, long maxUnsentChars,
      Optional<Path> caFile) throws IOException {
    this.home = home;
    this.runtime = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    runtime.createContext("/outpost/integrations", exchange -> {
      byte[] body = runtimeStatus.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    runtime.start();
    held = new HeldApply(target != null ? target : new LocalTarget(home));
    AuditLog auditLog = audit::add;
    Clock clock = Clock.systemUTC();
    URI runtimeUri = URI.create("http://127.0.0.1:" + runtime.getAddress().getPort());
    keeper = new DesiredStateKeeper(dev.outpost.agent.TestStates.DATA_PLANE,
        new SnapshotAcceptance(new SnapshotVerifier(pinned), dev.outpost.agent.TestStates.DATA_PLANE),
        store != null ? store : new FileAppliedStore(home),
        new Reconciler(held, clock), auditLog,
        new StatusReporter(dev.outpost.agent.TestStates.DATA_PLANE,
            source != null ? source : new LocalStatusSource(runtimeUri, Optional.empty()), clock),
        clock, RETRY);
    link = new ControlPlaneLink(vertx, new LinkOptions(URI.create(controlPlaneUrl), TestControlPlane.TOKEN,
        caFile, Optional.empty(), ping, liveness, dev.outpost.agent.TestStates.DATA_PLANE, "test",
        List.of("local"), maxUnsentChars), keeper, new StatusOutbox(), worker, new Random(42));
  }

  public AgentHarness start() throws IOException {
    keeper.restore();
    link.start();
    retries.scheduleWithFixedDelay(() -> keeper.retryIfDue().ifPresent(link::reportRetried), 50, 50,
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Every file under the home's state directory with its content: "what runs". */
  public Map<String, String> running() throws IOException {
    return running(home);
  }

  /** Every file under {@code home}'s state directory with its content. */
  public static Map<String, String> running(Path home) throws IOException {
    Map<String, String> files = new TreeMap<>();
    Path state = home.resolve("state");
    if (!Files.isDirectory(state)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(state)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(state.relativize(p).toString(), Files.readString(p));
      }
    }
    return files;
  }

  @Override
  public void close() {
    held.release(); // an applier still held would keep its thread
    retries.shutdownNow();
    link.close();
    worker.shutdownNow();
    runtime.stop(0);
  }
}
