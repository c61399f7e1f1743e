package dev.outpost.agent.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Leader election on a {@code coordination.k8s.io/v1} Lease (fabric8's {@code LeaderElector}), so
 * that of several agent replicas exactly one applies desired state. {@code onStartLeading} runs
 * when this replica acquires the lease; {@code onStopLeading} when it loses it or is stopped, after
 * which it stops applying. The lease is released on {@link #stop()} so a successor takes over at
 * once instead of after the lease duration. A replica that loses the lease (another took it, or
 * the API server was unreachable past the renew deadline) competes for it again: fabric8's elector
 * gives up for good once it stops leading.
 */
public final class LeaseElection implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LeaseElection.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String leaseName;
  private final String identity;
  private final Duration leaseDuration;
  private final Runnable onStartLeading;
  private final Runnable onStopLeading;
  private final AtomicBoolean leading = new AtomicBoolean();
  private volatile CompletableFuture<?> running;
  private volatile boolean competing;

  public LeaseElection(KubernetesClient client, String namespace, String leaseName, String identity,
      Duration leaseDuration, Runnable onStartLeading, Runnable onStopLeading) {
    this.client = client;
    this.namespace = namespace;
    this.leaseName = leaseName;
    this.identity = identity;
    this.leaseDuration = leaseDuration;
    this.onStartLeading = onStartLeading;
    this.onStopLeading = onStopLeading;
  }

  /** Starts competing for the lease; returns at once. */
  public synchronized void start() {
    competing = true;
    compete();
  }

  private synchronized void compete() {
    if (!competing || (running != null && !running.isDone())) {
      return;
    }
    Duration renewDeadline = leaseDuration.multipliedBy(2).dividedBy(3);
    Duration retryPeriod = leaseDuration.dividedBy(5);
    CompletableFuture<?> election = client.leaderElector()
        .withConfig(new LeaderElectionConfigBuilder()
            .withName(leaseName)
            .withLock(new LeaseLock(namespace, leaseName, identity))
            .withLeaseDuration(leaseDuration)
            .withRenewDeadline(renewDeadline)
            .withRetryPeriod(retryPeriod)
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped,
                leader -> LOG.infof("lease %s held by %s", leaseName, leader)))
            .build())
        .build()
        .start();
    running = election;
    // The elector's future ends when this replica stops leading; unless stopped, compete again.
    election.whenComplete((ignored, error) -> CompletableFuture.delayedExecutor(
        retryPeriod.toMillis(), TimeUnit.MILLISECONDS).execute(this::compete));
  }

  public boolean isLeader() {
    return leading.get();
  }

  public String identity() {
    return identity;
  }

  /** Stops competing and releases the lease if held. */
  public synchronized void stop() {
    competing = false;
    if (running != null) {
      running.cancel(true);
      running = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void started() {
    leading.set(true);
    LOG.infof("%s leads: applying desired state", identity);
    onStartLeading.run();
  }

  private void stopped() {
    if (leading.getAndSet(false)) {
      if (competing) {
        // not a stop of ours: the lease was not renewed in time (the API server slow or away) or another replica took it
        LOG.warnf("%s lost the lease: stopped applying; another replica applies once it takes the lease", identity);
      } else {
        LOG.infof("%s no longer leads: stopped applying", identity);
      }
      onStopLeading.run();
    }
  }
}
