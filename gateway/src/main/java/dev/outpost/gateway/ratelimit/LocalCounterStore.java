package dev.outpost.gateway.ratelimit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counters in this replica's memory: for a gateway configured without a cluster. At most {@link
 * #MAX_COUNTERS} (as many as a Hazelcast member owns): past them the least lately used of a few
 * counters goes, as the Hazelcast map evicts, so clients rotating keys cannot fill the heap.
 */
public final class LocalCounterStore implements CounterStore {
  static final int MAX_COUNTERS = RateLimiters.MAX_COUNTERS_PER_MEMBER;
  /** Counters looked at for one eviction: Hazelcast samples alike rather than keeping an order. */
  private static final int EVICTION_SAMPLE = 16;

  private record Counter(long used, long expiresAt, long lastUsed) {}

  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final int maxCounters;

  public LocalCounterStore() {
    this(MAX_COUNTERS);
  }

  LocalCounterStore(int maxCounters) {
    this.maxCounters = maxCounters;
  }

  @Override
  public CompletionStage<Grant> take(String key, long wanted, long limit, long ttlMillis) {
    long now = System.currentTimeMillis();
    if (counters.size() >= maxCounters && !counters.containsKey(key)) {
      evictOne(now);
    }
    long[] granted = new long[1];
    Counter after = counters.compute(key, (k, c) -> {
      Counter current = c == null || c.expiresAt() < now ? new Counter(0, now + ttlMillis, now) : c;
      granted[0] = Math.max(0, Math.min(wanted, limit - current.used()));
      return new Counter(current.used() + granted[0], current.expiresAt(), now);
    });
    return CompletableFuture.completedFuture(new Grant(granted[0], after.used()));
  }

  @Override
  public CompletionStage<Long> used(String key) {
    Counter counter = counters.get(key);
    boolean held = counter != null && counter.expiresAt() >= System.currentTimeMillis();
    return CompletableFuture.completedFuture(held ? counter.used() : 0L);
  }

  /** Drops an ended counter, or the least lately used of a sample. */
  private void evictOne(long now) {
    String victim = null;
    long oldest = Long.MAX_VALUE;
    Iterator<Map.Entry<String, Counter>> sample = counters.entrySet().iterator();
    for (int i = 0; i < EVICTION_SAMPLE && sample.hasNext(); i++) {
      Map.Entry<String, Counter> e = sample.next();
      if (e.getValue().expiresAt() < now) {
        victim = e.getKey();
        break;
      }
      if (e.getValue().lastUsed() < oldest) {
        oldest = e.getValue().lastUsed();
        victim = e.getKey();
      }
    }
    if (victim != null) {
      counters.remove(victim);
    }
  }

  /** Counters held now. */
  int size() {
    return counters.size();
  }

  @Override
  public void sweep() {
    long now = System.currentTimeMillis();
    counters.values().removeIf(c -> c.expiresAt() < now);
  }
}
