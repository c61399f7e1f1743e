package dev.outpost.gateway.proxy;

import org.jboss.logging.Logger;

/**
 * One integration's breaker: after {@code threshold} consecutive failures (connection errors,
 * timeouts) it opens and requests fail fast with 503; after {@code openNanos} one trial request
 * goes through, and its outcome closes or re-opens it. The trial is a lease of {@code openNanos}:
 * a trial that ends with neither outcome (its client left, the upstream reset, the body was too
 * large) would otherwise hold the breaker open forever, so once the lease has run out the next
 * request is a new trial. Thread-safe.
 */
public final class CircuitBreaker {
  private static final Logger LOG = Logger.getLogger(CircuitBreaker.class);

  /** What the log calls it: the integration and the upstream address. */
  private final String name;
  private final int threshold;
  private final long openNanos;
  private int failures;
  private long openedAt;
  private boolean open;
  private boolean trialInFlight;
  private long trialStartedAt;

  public CircuitBreaker(String name, int threshold, long openNanos) {
    this.name = name;
    this.threshold = threshold;
    this.openNanos = openNanos;
  }

  /** Whether a request may go to the upstream now. */
  public synchronized boolean allowRequest() {
    if (!open) {
      return true;
    }
    long now = System.nanoTime();
    boolean leaseFree = !trialInFlight || now - trialStartedAt >= openNanos;
    if (leaseFree && now - openedAt >= openNanos) {
      trialInFlight = true;
      trialStartedAt = now;
      return true;
    }
    return false;
  }

  public synchronized void onSuccess() {
    if (open) {
      LOG.infof("integration %s answers again: its circuit is closed", name);
    }
    failures = 0;
    open = false;
    trialInFlight = false;
  }

  /**
   * One more failure in a row, of a request let through at {@code sentAt} ({@link System#nanoTime}).
   * Opening is logged, with {@code why} the last one failed: the 503s that follow name only the open
   * circuit, and a connection error was otherwise seen at DEBUG only. A request sent before the
   * circuit opened that fails after it (a timeout) changes nothing: each re-armed the open time, so a
   * hung integration's in-flight requests timing out one by one held it open for up to the route's
   * timeout past its recovery, and broke the promise of the 503s' {@code Retry-After}.
   */
  public synchronized void onFailure(String why, long sentAt) {
    if (open && sentAt - openedAt < 0) {
      return;
    }
    failures++;
    if (trialInFlight || failures >= threshold) {
      if (!open) {
        LOG.warnf("integration %s failed %d times in a row (last: %s): its circuit is open, requests are answered 503"
            + " for %d ms, then one is let through", name, failures, why, openNanos / 1_000_000);
      }
      open = true;
      openedAt = System.nanoTime();
      trialInFlight = false;
    }
  }

  /**
   * Whole seconds, at least one, until a request may be the next trial: the {@code Retry-After} of a
   * request the breaker refused.
   */
  public synchronized long secondsUntilTrial() {
    long due = openedAt + openNanos;
    if (trialInFlight) {
      due = Math.max(due, trialStartedAt + openNanos);
    }
    long nanos = due - System.nanoTime();
    return Math.max(1, (nanos + 999_999_999) / 1_000_000_000);
  }

  /**
   * Whether a request now would be refused: open, and its next trial not due or under way. An open
   * breaker no request has tried since its open time ran out is not (Envoy's ejection ends with its
   * time): else the gauge of an integration that recovered with no traffic stayed 1, its alert on.
   */
  public synchronized boolean isOpen() {
    if (!open) {
      return false;
    }
    long now = System.nanoTime();
    boolean trialDue = (!trialInFlight || now - trialStartedAt >= openNanos) && now - openedAt >= openNanos;
    return !trialDue;
  }
}
