package dev.outpost.gateway.proxy;

/**
 * One upstream's breaker: after {@code threshold} consecutive failures (connection errors,
 * timeouts) it opens and requests fail fast with 503; after {@code openNanos} one trial request
 * goes through, and its outcome closes or re-opens it. Thread-safe.
 */
public final class CircuitBreaker {

  private final int threshold;
  private final long openNanos;
  private int failures;
  private long openedAt;
  private boolean open;
  private boolean trialInFlight;

  public CircuitBreaker(int threshold, long openNanos) {
    this.threshold = threshold;
    this.openNanos = openNanos;
  }

  /** Whether a request may go to the upstream now. */
  public synchronized boolean allowRequest() {
    if (!open) {
      return true;
    }
    if (!trialInFlight && System.nanoTime() - openedAt >= openNanos) {
      trialInFlight = true;
      return true;
    }
    return false;
  }

  public synchronized void onSuccess() {
    failures = 0;
    open = false;
    trialInFlight = false;
  }

  public synchronized void onFailure() {
    failures++;
    if (trialInFlight || failures >= threshold) {
      open = true;
      openedAt = System.nanoTime();
      trialInFlight = false;
    }
  }

  public synchronized boolean isOpen() {
    return open;
  }
}
