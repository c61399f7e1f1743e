package dev.outpost.agent.link;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with full jitter: the n-th consecutive failure waits a uniformly
 * random time in {@code [0, min(cap, base * 2^n))}, so that many agents that lost the same control
 * plane do not reconnect in step. {@link #reset()} after a connection that worked.
 */
public final class Backoff {
  private final long baseMillis;
  private final long capMillis;
  private final RandomGenerator random;
  private int failures;

  public Backoff(Duration base, Duration cap, RandomGenerator random) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < base <= cap, got base " + base + ", cap " + cap);
    }
    this.baseMillis = base.toMillis();
    this.capMillis = cap.toMillis();
    this.random = random;
  }

  /** The ceiling of the next delay, before jitter. */
  public synchronized long ceilingMillis() {
    int shift = Math.min(failures, 30);
    return Math.min(capMillis, baseMillis << shift);
  }

  /** The delay before the next attempt; counts one more failure. */
  public synchronized Duration next() {
    long ceiling = ceilingMillis();
    failures++;
    return Duration.ofMillis(random.nextLong(ceiling + 1));
  }

  public synchronized void reset() {
    failures = 0;
  }
}
