package dev.outpost.agent;

import dev.outpost.agent.audit.AuditLog;
import dev.outpost.agent.audit.OtlpAuditLog;
import dev.outpost.agent.leader.LeaseElection;
import dev.outpost.agent.link.ControlPlaneLink;
import dev.outpost.agent.link.LinkOptions;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.snapshot.AppliedStore;
import dev.outpost.agent.snapshot.FileAppliedStore;
import dev.outpost.agent.snapshot.SecretAppliedStore;
import dev.outpost.agent.status.KubernetesStatusSource;
import dev.outpost.agent.status.LocalStatusSource;
import dev.outpost.agent.status.StatusOutbox;
import dev.outpost.agent.status.StatusReporter;
import dev.outpost.agent.status.StatusSource;
import dev.outpost.agent.targets.AgentIdentity;
import dev.outpost.agent.targets.AtomicFiles;
import dev.outpost.agent.targets.DriftWatch;
import dev.outpost.agent.targets.KubernetesDriftWatch;
import dev.outpost.agent.targets.KubernetesTarget;
import dev.outpost.agent.targets.KubernetesTargetConfig;
import dev.outpost.agent.targets.LeaderOnlyTarget;
import dev.outpost.agent.targets.LocalDriftWatch;
import dev.outpost.agent.targets.LocalTarget;
import dev.outpost.agent.targets.NamespaceHold;
import dev.outpost.agent.targets.RuntimeTemplate;
import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.WrittenVersions;
import dev.outpost.spec.ingest.IntegrationIngestTokens;
import dev.outpost.spec.protocol.SnapshotAcceptance;
import dev.outpost.spec.signature.SnapshotVerifier;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wires the agent from its configuration and runs its lifecycle: restore the applied snapshot,
 * connect, resync on a schedule and on drift, report status. In Kubernetes with leader election,
 * all of that runs only while this replica holds the Lease.
 */
@Singleton
public class AgentRuntime {
  private static final Logger LOG = Logger.getLogger(AgentRuntime.class);

  private final AgentConfig config;
  private final Vertx vertx;
  private final Instance<KubernetesClient> kubernetes;
  private final String version;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "outpost-agent-apply");
    t.setDaemon(true);
    return t;
  });
  private static final Duration DRIFT_WATCH_FIRST_RETRY = Duration.ofSeconds(5);
  private static final Duration DRIFT_WATCH_MAX_RETRY = Duration.ofMinutes(1);
  private final AtomicBoolean running = new AtomicBoolean();
  private final DriftResyncs driftResyncs = new DriftResyncs(worker, this::resyncNow);
  private DesiredStateKeeper keeper;
  private ControlPlaneLink link;
  private RestoreThenConnect startup;
  private OtlpAuditLog audit;
  private LeaseElection election;
  private DriftWatch driftWatch;
  private StatusSource statusSource;
  private ScheduledFuture<?> resync;
  private ScheduledFuture<?> statusTimer;
  private ScheduledFuture<?> retryTimer;
  private volatile ScheduledFuture<?> driftWatchRetry;

  public AgentRuntime(AgentConfig config, Vertx vertx, Instance<KubernetesClient> kubernetes,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "0.1.0") String version) {
    this.config = config;
    this.vertx = vertx;
    this.kubernetes = kubernetes;
    this.version = version;
  }

  void onStart(@Observes StartupEvent event) throws IOException {
    AgentConfigCheck.validate(config);
    boolean inKubernetes = AgentConfigCheck.KUBERNETES.equals(config.target());
    KubernetesClient client = inKubernetes ? kubernetes.get() : null;
    String namespace = inKubernetes ? config.kubernetes().namespace().orElse(client.getNamespace()) : null;
    String identity = identity();

    Target target;
    WrittenVersions written = null;
    AppliedStore store;
    StatusSource source;
    if (inKubernetes) {
      KubernetesTargetConfig targetConfig = KubernetesTargetConfig.of(namespace, config.kubernetes().runtimeImage(),
          config.kubernetes().imagePullPolicy());
      if (config.kubernetes().runtimeTemplate().isPresent()) {
        targetConfig = RuntimeTemplate.read(config.kubernetes().runtimeTemplate().get(), targetConfig);
      }
      targetConfig = targetConfig.withReservedSecrets(config.kubernetes().reservedSecrets().orElse(List.of()));
      // the audit token is the data plane's ingest token, from which each integration's is derived
      Optional<IntegrationIngestTokens> ingestTokens = targetConfig.otlpEndpoint().isPresent()
          ? AgentSettings.auditToken(config).map(IntegrationIngestTokens::new) : Optional.empty();
      // the Lease's name is the release's agent's, leader election or not: another release's agent writes
      // nothing here while it renews its hold; one hold for both, so the store knows what the pass read
      NamespaceHold hold = new NamespaceHold(new AgentIdentity(config.dataPlane(), config.leaderElection().leaseName()),
          config.resyncInterval(), Clock.systemUTC());
      KubernetesTarget kubernetesTarget = new KubernetesTarget(client, targetConfig, ingestTokens, config.kubernetes().namespaceClaimRequired(),
          hold);
      written = kubernetesTarget.writtenVersions();
      target = kubernetesTarget;
      store = new SecretAppliedStore(client, namespace, hold);
      source = new KubernetesStatusSource(client, namespace, config.gatewayStatusUrl());
    } else {
      LocalTarget local = new LocalTarget(config.home());
      AtomicFiles.removeLeftovers(Stream.concat(local.directories().stream(),
          Stream.of(FileAppliedStore.directory(config.home()))).toList());
      driftWatch = new LocalDriftWatch(local, this::requestResync);
      target = local;
      store = new FileAppliedStore(config.home());
      source = new LocalStatusSource(config.status().runtimeManagement(), config.gatewayStatusUrl());
    }
    if (config.audit().enabled()) {
      audit = new OtlpAuditLog(config.audit().endpoint(), AgentSettings.auditToken(config).orElse(null), identity,
          config.audit().queueCapacity());
    } else {
      LOG.info("audit records are off (outpost.agent.audit.enabled=false): no observability-api to keep them");
    }
    Clock clock = Clock.systemUTC();
    keeper = new DesiredStateKeeper(config.dataPlane(),
        new SnapshotAcceptance(new SnapshotVerifier(AgentSettings.controlPlaneKeys(config)), config.dataPlane()),
        // the reconciler measures how long a route waits for its new integration: not on a clock NTP steps;
        // a pass under way when the Lease is lost stops at its next write
        store, new Reconciler(new LeaderOnlyTarget(target, running::get), source, MonotonicClock.startingNow()),
        audit != null ? audit : decision -> { },
        new StatusReporter(config.dataPlane(), source, clock), clock,
        new RetryBackoff(config.applyRetry().firstInterval(), config.applyRetry().maxInterval()));
    statusSource = source;
    link = new ControlPlaneLink(vertx, new LinkOptions(config.controlPlane().url(), AgentSettings.controlPlaneToken(config),
        config.controlPlane().caFile(), config.controlPlane().proxy(), config.controlPlane().pingInterval(),
        config.controlPlane().livenessTimeout(), config.dataPlane(), version, config.capabilities()),
        keeper, new StatusOutbox(), worker, new SecureRandom());
    startup = new RestoreThenConnect(keeper, link, worker, Duration.ofSeconds(1));
    if (inKubernetes) {
      driftWatch = new KubernetesDriftWatch(client, namespace, written, config.resyncInterval(), this::requestResync);
    }
    if (inKubernetes && config.leaderElection().enabled()) {
      election = new LeaseElection(client, namespace, config.leaderElection().leaseName(), identity,
          config.leaderElection().leaseDuration(), this::startApplying, this::stopApplying);
      election.start();
    } else {
      startApplying();
    }
  }

  private void startApplying() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    statusSource.forgetTimings(); // nothing was looked at while another replica led
    startup.start();
    long resyncMillis = config.resyncInterval().toMillis();
    resync = worker.scheduleWithFixedDelay(this::resyncNow, resyncMillis, resyncMillis, TimeUnit.MILLISECONDS);
    long statusMillis = config.statusInterval().toMillis();
    statusTimer = worker.scheduleWithFixedDelay(this::reportStatus, statusMillis, statusMillis, TimeUnit.MILLISECONDS);
    // the keeper knows when a failed apply is due; this only asks often enough
    long retryCheckMillis = Math.min(1000, config.applyRetry().firstInterval().toMillis());
    retryTimer = worker.scheduleWithFixedDelay(this::retryNow, retryCheckMillis, retryCheckMillis,
        TimeUnit.MILLISECONDS);
    if (driftWatch != null) {
      // on the apply thread, not the elector's (the initial lists take time), and again until it starts
      worker.execute(() -> startDriftWatch(DRIFT_WATCH_FIRST_RETRY));
    }
  }

  /**
   * Starts the drift watch, retrying with a doubling delay (at most a minute) while this replica
   * applies: without it drift waits for the next scheduled resync.
   */
  private void startDriftWatch(Duration delay) {
    if (!running.get()) {
      return;
    }
    try {
      driftWatch.start();
    } catch (RuntimeException e) {
      LOG.warnf("cannot watch what the agent manages (%s); drift is corrected at each resync until"
          + " the watch starts, tried again in %d s", e.getMessage(), delay.toSeconds());
      Duration next = delay.multipliedBy(2).compareTo(DRIFT_WATCH_MAX_RETRY) > 0 ? DRIFT_WATCH_MAX_RETRY
          : delay.multipliedBy(2);
      driftWatchRetry = worker.schedule(() -> startDriftWatch(next), delay.toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    if (!running.get()) {
      driftWatch.stop(); // the Lease was lost while the watch started
    }
  }

  private void stopApplying() {
    if (!running.compareAndSet(true, false)) {
      return;
    }
    startup.stop();
    if (resync != null) {
      resync.cancel(false);
    }
    if (statusTimer != null) {
      statusTimer.cancel(false);
    }
    if (retryTimer != null) {
      retryTimer.cancel(false);
    }
    if (driftWatchRetry != null) {
      driftWatchRetry.cancel(false); // a later lead starts its own
    }
    if (driftWatch != null) {
      driftWatch.stop();
    }
  }

  /** Asks for a resync in a second (drift seen); coalesces bursts of requests. */
  void requestResync() {
    requestResync(Duration.ofSeconds(1));
  }

  /** Asks for a resync in {@code wait} at the latest (drift seen; longer for an object in a fight). */
  void requestResync(Duration wait) {
    if (running.get()) {
      driftResyncs.request(wait);
    }
  }

  private void resyncNow() {
    // a resync asked for before this replica lost the Lease must not write after it: the new
    // leader owns the cluster now
    if (!running.get()) {
      return;
    }
    try {
      keeper.resync();
      link.reportStatus();
    } catch (RuntimeException e) {
      LOG.errorf("resync failed: %s", e.getMessage());
    }
  }

  /** Tries a failed apply again once it is due (a replica that no longer leads writes nothing). */
  private void retryNow() {
    if (!running.get()) {
      return;
    }
    try {
      keeper.retryIfDue().ifPresent(link::reportRetried);
    } catch (RuntimeException e) {
      LOG.errorf("retrying a failed apply failed: %s", e.getMessage());
    }
  }

  private void reportStatus() {
    if (keeper.handingOver()) {
      resyncNow(); // a route waits for its new integration to serve, or its old one to be pruned
      return;
    }
    try {
      link.reportStatus();
    } catch (RuntimeException e) {
      LOG.errorf("status report failed: %s", e.getMessage());
    }
  }

  /** For health: the revision enforced, and whether the control plane is connected. */
  public DesiredStateKeeper keeper() {
    return keeper;
  }

  public boolean connected() {
    return link != null && link.connected();
  }

  public boolean applying() {
    return running.get();
  }

  void onStop(@Observes ShutdownEvent event) {
    stopApplying();
    if (election != null) {
      election.stop();
    }
    if (link != null) {
      link.close();
    }
    if (audit != null) {
      audit.close();
    }
    worker.shutdownNow();
  }

  private static String identity() {
    try {
      return InetAddress.getLocalHost().getHostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    } catch (IOException e) {
      return "agent-" + UUID.randomUUID();
    }
  }
}
