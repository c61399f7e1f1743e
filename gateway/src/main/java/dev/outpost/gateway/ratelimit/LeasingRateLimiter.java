package dev.outpost.gateway.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Fixed-window limits held cluster-wide with local leases. Each replica takes small shares
 * ({@code leaseFraction} of the limit, at least 1) of a window's budget from the {@link
 * CounterStore} and spends them locally, so most requests cost one synchronized decrement and only
 * one in {@code limit × leaseFraction} waits for the store. The store's counter is authoritative
 * and never passes the limit, so replicas can never admit more than the limit together; what they
 * can lose is the leased but unspent tokens at the end of a window (at most replicas × lease, 3% of
 * the limit with 3 replicas and the default 1%). A replica leaving takes only its unspent lease;
 * one joining starts from the shared counter: neither resets nor multiplies the budget.
 *
 * <p>When the store fails the request is admitted (and logged): an outage of the counters must not
 * take the routes down.
 */
public final class LeasingRateLimiter {

  private static final Logger LOG = Logger.getLogger(LeasingRateLimiter.class);
  private static final int MAX_BUCKETS = 100_000;

  /**
   * The answer for one request.
   *
   * @param window the window it was counted in (epoch millis / period)
   */
  public record Decision(boolean allowed, long limit, long remaining, long resetSeconds, long window) {}

  private static final class Bucket {
    final long window;
    long available;
    long used;
    boolean exhausted;
    CompletableFuture<Void> pending;

    Bucket(long window) {
      this.window = window;
    }
  }

  private final CounterStore store;
  private final double leaseFraction;
  private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  /** Epoch millis, which place a request in its window. */
  private final LongSupplier clock;

  public LeasingRateLimiter(CounterStore store, double leaseFraction) {
    this(store, leaseFraction, System::currentTimeMillis);
  }

  LeasingRateLimiter(CounterStore store, double leaseFraction, LongSupplier clock) {
    this.store = store;
    this.leaseFraction = leaseFraction;
    this.clock = clock;
  }

  /**
   * Takes one request from {@code key}'s budget of {@code limit} per {@code periodSeconds}.
   * Completes on a store thread when it had to wait for a lease.
   */
  public CompletionStage<Decision> acquire(String key, long limit, int periodSeconds) {
    long periodMillis = periodSeconds * 1000L;
    long now = clock.getAsLong();
    long window = now / periodMillis;
    long resetSeconds = Math.max(1, ((window + 1) * periodMillis - now + 999) / 1000);
    if (buckets.size() > MAX_BUCKETS) {
      buckets.values().removeIf(b -> b.window < window);
    }
    Bucket bucket = buckets.compute(key, (k, old) -> old == null || old.window < window ? new Bucket(window) : old);
    CompletableFuture<Void> pending;
    synchronized (bucket) {
      if (bucket.window > window) {
        // this clock read is older than the bucket: count it in the newer window
        return acquire(key, limit, periodSeconds);
      }
      if (bucket.available > 0) {
        bucket.available--;
        return CompletableFuture.completedFuture(
            new Decision(true, limit, Math.max(0, limit - bucket.used) + bucket.available, resetSeconds, window));
      }
      if (bucket.exhausted) {
        return CompletableFuture.completedFuture(new Decision(false, limit, 0, resetSeconds, window));
      }
      if (bucket.pending == null) {
        long lease = Math.max(1, (long) Math.ceil(limit * leaseFraction));
        // set before asking the store: a store that answers at once (the local one) runs the
        // callback below right here, and the callback must find and clear this very future
        CompletableFuture<Void> taking = new CompletableFuture<>();
        bucket.pending = taking;
        store.take(key + "|" + window, lease, limit, periodMillis + 5000).whenComplete((grant, failure) -> {
          synchronized (bucket) {
            bucket.pending = null;
            if (failure != null) {
              LOG.warnf("rate-limit counters unavailable, request admitted: %s", failure.getMessage());
              bucket.available++;
            } else {
              bucket.available += grant.granted();
              bucket.used = grant.used();
              bucket.exhausted = grant.granted() == 0;
            }
          }
          taking.complete(null);
        });
      }
      pending = bucket.pending == null ? CompletableFuture.completedFuture(null) : bucket.pending;
    }
    return pending.thenCompose(v -> acquire(key, limit, periodSeconds));
  }
}
