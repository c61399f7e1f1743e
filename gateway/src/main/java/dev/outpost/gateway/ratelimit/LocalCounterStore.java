package dev.outpost.gateway.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Counters in this replica's memory: for a gateway configured without a cluster. */
public final class LocalCounterStore implements CounterStore {

  private record Counter(long used, long expiresAt) {}

  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

  @Override
  public CompletionStage<Grant> take(String key, long wanted, long limit, long ttlMillis) {
    long now = System.currentTimeMillis();
    long[] granted = new long[1];
    Counter after = counters.compute(key, (k, c) -> {
      Counter current = c == null || c.expiresAt() < now ? new Counter(0, now + ttlMillis) : c;
      granted[0] = Math.max(0, Math.min(wanted, limit - current.used()));
      return new Counter(current.used() + granted[0], current.expiresAt());
    });
    return CompletableFuture.completedFuture(new Grant(granted[0], after.used()));
  }

  @Override
  public void sweep() {
    long now = System.currentTimeMillis();
    counters.values().removeIf(c -> c.expiresAt() < now);
  }
}
