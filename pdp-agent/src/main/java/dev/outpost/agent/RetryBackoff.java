package dev.outpost.agent;

import java.time.Duration;

/**
 * How long a failed apply waits before it is tried again: {@code first}, doubling at each failure,
 * at most {@code max} (Flux's {@code retryInterval}, with a backoff so that a revision that keeps
 * failing rolls the integrations written before its failure out and back at most every {@code max}).
 */
public record RetryBackoff(Duration first, Duration max) {

  public static final RetryBackoff DEFAULT = new RetryBackoff(Duration.ofSeconds(10), Duration.ofMinutes(5));

  /** The wait after the {@code failures}-th failure in a row (1 for the first). */
  public Duration after(int failures) {
    Duration delay = first;
    for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
