package dev.outpost.gateway.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The authoritative per-window counters behind {@link LeasingRateLimiter}: one counter per
 * (limit key, window), shared by every gateway replica.
 */
public interface CounterStore {

  /**
   * Atomically takes up to {@code wanted} units from the counter {@code key}, never letting it pass
   * {@code limit}. The counter disappears {@code ttlMillis} after its first use.
   *
   * @return how many were granted (0 when the window's budget is spent) and the count after it
   */
  CompletionStage<Grant> take(String key, long wanted, long limit, long ttlMillis);

  /**
   * The counter {@code key}'s count now, without taking from it: 0 for one not held (never used, or
   * gone). For figures a replica reports, never for admitting. A store that cannot read a count
   * without taking need not: by default the read fails, and the limiter then goes by its takes alone.
   */
  default CompletionStage<Long> used(String key) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("this store does not read counts"));
  }

  /** Drops counters whose time is over, where the store does not do it itself. */
  default void sweep() {}

  /** The outcome of {@link #take}. */
  record Grant(long granted, long used) implements java.io.Serializable {}
}
