package dev.outpost.gateway.route;

import dev.outpost.spec.model.RoutingTable;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Holds the routing table in use. A new table is compiled off to the side and swapped in with one
 * volatile write: requests in flight keep the table they started with, so no request fails during
 * a reload. A table that does not compile is refused and the old one stays.
 */
@Singleton
public class RouteTableHolder {

  private static final Logger LOG = Logger.getLogger(RouteTableHolder.class);

  private volatile ActiveRoutes current = ActiveRoutes.EMPTY;
  private final List<Consumer<ActiveRoutes>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong refusals = new AtomicLong();
  /** The last table its source gave was refused, and none applied since. */
  private volatile boolean refusing;
  /** A table was applied, or its source had none to give at its first look. */
  private volatile boolean loaded;

  public ActiveRoutes current() {
    return current;
  }

  /**
   * Replaces the table unless it is older than the one in use.
   *
   * @return whether it was applied
   * @throws IllegalArgumentException when the table does not compile; the old one stays
   */
  public synchronized boolean apply(RoutingTable table) {
    if (table.revision() < current.revision()) {
      LOG.warnf("routing table revision %d ignored: revision %d is in use", table.revision(), current.revision());
      refusing = false; // read and valid, only older: not refused
      return false;
    }
    swap(table);
    return true;
  }

  /**
   * Replaces the table with what its source now holds, even an older revision: the ConfigMap's
   * versions arrive in the API server's order, so a lower revision is the agent's latest write (a
   * data plane registered anew counts from 1 again). Kept above it, running gateways served the old
   * table while every gateway started since served the new one.
   *
   * @throws IllegalArgumentException when the table does not compile; the old one stays
   */
  public synchronized void replace(RoutingTable table) {
    if (table.revision() < current.revision()) {
      LOG.warnf("routing table revision %d replaces revision %d: its source went back (a data plane registered"
          + " anew)", table.revision(), current.revision());
    }
    swap(table);
  }

  private void swap(RoutingTable table) {
    ActiveRoutes next = new ActiveRoutes(table);
    current = next;
    loaded = true;
    refusing = false;
    listeners.forEach(l -> l.accept(next));
    LOG.infof("routing table revision %d applied: %d routes", next.revision(), next.size());
  }

  /** Its source has no table to give (a fresh install): answering 404 to everything is right, and ready. */
  public void nothingToLoad() {
    loaded = true;
  }

  /**
   * Whether the gateway serves the table its source holds: one was applied, or there was none. A
   * table found and refused at start leaves it serving nothing, not ready, so that a rolling update
   * stops there and the old pods go on serving.
   */
  public boolean loaded() {
    return loaded;
  }

  /** Counts a table its source could not read or that did not compile; the one in use stays. */
  public void refused() {
    refusing = true; // before the count: whoever sees the count also sees the gauge
    refusals.incrementAndGet();
  }

  /** Whether the last table its source gave was refused (none applied since): the table in use is older. */
  public boolean refusing() {
    return refusing;
  }

  /** How many tables were refused since the start. */
  public long refusals() {
    return refusals.get();
  }

  /** Called after each swap, on the thread that applied it. */
  public void onChange(Consumer<ActiveRoutes> listener) {
    listeners.add(listener);
  }
}
