package dev.outpost.agent;

import dev.outpost.agent.link.ControlPlaneLink;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Starts the agent's work in the order zero trust needs: read the applied snapshot, then dial the
 * control plane. While the store cannot be read (API server or disk failing) it retries with a
 * capped, doubling delay and does not connect: {@code hello} would claim revision 0, and any validly
 * signed snapshot, however old, would then be taken over what runs. A store that holds nothing, or
 * something refused, is read; only a failed read waits.
 */
public final class RestoreThenConnect {
  private static final Logger LOG = Logger.getLogger(RestoreThenConnect.class);
  /** The longest wait between two reads of the store. */
  public static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final DesiredStateKeeper keeper;
  private final ControlPlaneLink link;
  private final ScheduledExecutorService worker;
  private final Duration firstRetry;
  private boolean wanted;
  private long generation;

  /**
   * @param worker the thread the keeper is used from
   * @param firstRetry the first wait after a failed read
   */
  public RestoreThenConnect(DesiredStateKeeper keeper, ControlPlaneLink link, ScheduledExecutorService worker,
      Duration firstRetry) {
    this.keeper = keeper;
    this.link = link;
    this.worker = worker;
    this.firstRetry = firstRetry;
  }

  /** Restores, then connects; returns at once. */
  public synchronized void start() {
    wanted = true;
    long started = ++generation;
    worker.execute(() -> attempt(started, firstRetry));
  }

  /** Stops retrying and disconnects. */
  public synchronized void stop() {
    wanted = false;
    link.stop();
  }

  private synchronized boolean current(long started) {
    return wanted && started == generation;
  }

  private void attempt(long started, Duration delay) {
    if (!current(started)) {
      return;
    }
    try {
      keeper.restore();
    } catch (IOException e) {
      LOG.errorf("cannot read the applied snapshot (%s): not connecting to the control plane until it is read; "
          + "retrying in %d ms", e.getMessage(), delay.toMillis());
      Duration next = delay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay.multipliedBy(2);
      worker.schedule(() -> attempt(started, next), delay.toMillis(), TimeUnit.MILLISECONDS);
      return;
    } catch (RuntimeException e) {
      LOG.errorf("restoring the applied snapshot failed: %s", e.getMessage());
    }
    synchronized (this) {
      if (current(started)) {
        link.start();
      }
    }
  }
}
