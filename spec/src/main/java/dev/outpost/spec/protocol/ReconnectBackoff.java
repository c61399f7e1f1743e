package dev.outpost.spec.protocol;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The agent's wait before reconnecting: capped exponential backoff with full jitter. The n-th
 * consecutive failed attempt (n from 0) waits a uniformly random time in [0, min(cap, base × 2^n)];
 * {@link #reset()} after a connection stayed up for {@link #STABLE_AFTER}. Not thread-safe.
 */
public final class ReconnectBackoff {
  public static final Duration BASE = Duration.ofSeconds(1);
  public static final Duration CAP = Duration.ofSeconds(60);
  /** A connection that lived this long counts as healthy and resets the backoff. */
  public static final Duration STABLE_AFTER = Duration.ofSeconds(60);

  private final RandomGenerator random;
  private int attempt;

  public ReconnectBackoff(RandomGenerator random) {
    this.random = random;
  }

  /** The upper bound of the next wait, before jitter. */
  public Duration ceiling() {
    long millis = attempt >= 16 ? CAP.toMillis() : Math.min(CAP.toMillis(), BASE.toMillis() << attempt);
    return Duration.ofMillis(millis);
  }

  /** The wait before the next attempt; each call counts one more failure. */
  public Duration next() {
    Duration wait = Duration.ofMillis(random.nextLong(ceiling().toMillis() + 1));
    attempt++;
    return wait;
  }

  public void reset() {
    attempt = 0;
  }
}
