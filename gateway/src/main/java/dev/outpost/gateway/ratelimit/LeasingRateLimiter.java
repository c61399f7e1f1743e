package dev.outpost.gateway.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
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
 * <p>The remaining budget a decision reports is the shared count's as this replica last learned it,
 * plus its own unspent lease. A replica spending a lease slowly re-reads the count (without taking)
 * when what it knows is older than {@value #USED_MAX_AGE_MILLIS} ms, so its figure is never much
 * older than that; what other replicas hold leased and unspent it cannot see, and does not count.
 *
 * <p>When the store fails the requests waiting on it are admitted, and so are that key's for the
 * next {@value #FAIL_OPEN_MILLIS} ms (logged): an outage of the counters must not take the routes
 * down, nor hold every request for the store's timeout. Each replica then admits at most what the
 * window had left when the counters last answered it.
 */
public final class LeasingRateLimiter {

  private static final Logger LOG = Logger.getLogger(LeasingRateLimiter.class);
  /**
   * Local buckets kept at most. Past it a new key gets none: each of its requests takes one token
   * from the store itself (a remote call, but exact) until {@link #sweep} drops ended windows.
   * Evicting another key's bucket instead lost its unspent lease each time, and the first key in the
   * map's order was evicted again and again: a busy client got 429 far below its limit.
   */
  static final int MAX_BUCKETS = 100_000;
  /** After the store fails, requests of that bucket are admitted without asking it for this long. */
  static final long FAIL_OPEN_MILLIS = 5_000;
  /**
   * How old the shared count a bucket knows may grow before it is read again, for the remaining budget
   * it reports. Learned at each lease only, a replica a client uses little (one of two keep-alive
   * connections) reported what the window had left at its last lease: 998 when 97 were. Re-read in
   * the background, at most once per this per key and replica: a busy key costs one read a second,
   * not one per request, and nothing waits for it.
   */
  static final long USED_MAX_AGE_MILLIS = 1_000;

  /**
   * The answer for one request.
   *
   * @param window the window it was counted in (epoch millis / period)
   */
  public record Decision(boolean allowed, long limit, long remaining, long resetSeconds, long window) {}

  /** A local bucket belongs to a key under one limit and period: a route changed by a reload starts a new one. */
  private record BucketKey(String key, long limit, int periodSeconds) {}

  private static final class Bucket {
    final long window;
    /** Epoch millis at which the window ends. */
    final long endMillis;
    long available;
    /** The shared counter's count as last learned, this replica's leases included. */
    long used;
    /** {@link System#nanoTime} when {@link #used} was last learned, or a read of it last tried. */
    long usedAt = System.nanoTime();
    /** A read of the shared count is under way. */
    boolean reading;
    boolean exhausted;
    /** {@link System#nanoTime} until which it is admitted without a count, {@link #NONE} when not. */
    long failOpenUntil = NONE;
    /** Admitted in this window while the counters were down, counted nowhere else. */
    long failOpenAdmitted;
    CompletableFuture<Void> pending;

    Bucket(long window, long periodMillis) {
      this.window = window;
      this.endMillis = (window + 1) * periodMillis;
    }
  }

  private final CounterStore store;
  private final double leaseFraction;
  private final ConcurrentMap<BucketKey, Bucket> buckets = new ConcurrentHashMap<>();
  /** Epoch millis, which place a request in its window. */
  private final LongSupplier clock;
  /** Until when keys past {@link #MAX_BUCKETS} are admitted without asking the store, after it failed. */
  private volatile long unbucketedFailOpenUntil = NONE;
  /** No fail-open deadline. */
  private static final long NONE = Long.MIN_VALUE;
  /** Requests admitted while the counters were down, counted nowhere else. */
  private final LongAdder admittedUncounted = new LongAdder();
  /** When the last warning of an outage was logged: once per {@link #FAIL_OPEN_MILLIS}, whatever the keys. */
  private final AtomicLong lastWarned = new AtomicLong(NONE);

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
    long current = now / periodMillis;
    Bucket bucket = bucketFor(new BucketKey(key, limit, periodSeconds), current, periodMillis);
    if (bucket == null) {
      return takeOne(key, limit, periodMillis, current, now);
    }
    CompletableFuture<Void> pending;
    synchronized (bucket) {
      long window = bucket.window;
      long resetSeconds = Math.max(1, (bucket.endMillis - now + 999) / 1000);
      if (bucket.available > 0) {
        bucket.available--;
        readUsedIfOld(bucket, key);
        return CompletableFuture.completedFuture(
            new Decision(true, limit, Math.max(0, limit - bucket.used) + bucket.available, resetSeconds, window));
      }
      if (bucket.exhausted) {
        return CompletableFuture.completedFuture(new Decision(false, limit, 0, resetSeconds, window));
      }
      if (failingOpen(bucket.failOpenUntil)) {
        // admitted without a count, but not past what the window had left when the counters last
        // answered: an outage lets each replica admit that much at most, not without end
        if (bucket.used + bucket.failOpenAdmitted >= limit) {
          return CompletableFuture.completedFuture(new Decision(false, limit, 0, resetSeconds, window));
        }
        bucket.failOpenAdmitted++;
        admittedUncounted.increment();
        return CompletableFuture.completedFuture(
            new Decision(true, limit, limit - bucket.used - bucket.failOpenAdmitted, resetSeconds, window));
      }
      if (bucket.pending == null) {
        long lease = Math.max(1, (long) Math.ceil(limit * leaseFraction));
        // what was admitted while the counters were down is charged to them with this lease: else
        // the window, counted from where they stopped, admitted it all again
        long owed = bucket.failOpenAdmitted;
        // set before asking the store: a store that answers at once (the local one) runs the
        // callback below right here, and the callback must find and clear this very future
        CompletableFuture<Void> taking = new CompletableFuture<>();
        bucket.pending = taking;
        ask(() -> store.take(key + "|" + window, lease + owed, limit, periodMillis + 5000)).whenComplete((grant, failure) -> {
          synchronized (bucket) {
            bucket.pending = null;
            if (failure != null) {
              // every request waiting on this take, and those after it for a while, are admitted:
              // one take at a time, each waiting for the store's timeout, would let one through per timeout
              warnUnavailable(failure);
              bucket.failOpenUntil = failOpenDeadline();
            } else {
              long charged = Math.min(grant.granted(), owed);
              bucket.failOpenAdmitted -= charged;
              bucket.available += grant.granted() - charged;
              bucket.used = grant.used();
              bucket.usedAt = System.nanoTime();
              bucket.exhausted = grant.granted() - charged == 0;
            }
          }
          taking.complete(null);
        });
      }
      pending = bucket.pending == null ? CompletableFuture.completedFuture(null) : bucket.pending;
    }
    return pending.thenCompose(v -> acquire(key, limit, periodSeconds));
  }

  /**
   * Reads the bucket's shared count in the background when what it knows is older than {@link
   * #USED_MAX_AGE_MILLIS}; the request at hand is answered with what it knows. Called under the
   * bucket's lock. The count only grows within a window, so an answer never lowers it (one older than
   * a lease's may come last). A failed read is dropped unlogged and tried again after the same age:
   * the takes see to outages.
   */
  private void readUsedIfOld(Bucket bucket, String key) {
    long now = System.nanoTime();
    if (bucket.reading || now - bucket.usedAt < USED_MAX_AGE_MILLIS * 1_000_000) {
      return;
    }
    bucket.reading = true;
    bucket.usedAt = now;
    String counter = key + "|" + bucket.window;
    ask(() -> store.used(counter)).whenComplete((used, failure) -> {
      synchronized (bucket) {
        bucket.reading = false;
        if (failure == null) {
          bucket.used = Math.max(bucket.used, used);
          bucket.usedAt = System.nanoTime();
        }
      }
    });
  }

  /**
   * The store's answer, a failure thrown at once included: a Hazelcast member that has shut down (its
   * out-of-memory handler does, in a gateway that lives on) throws instead of failing the future,
   * which escaped as a 500 and left the bucket's take pending for good, every later request of the
   * key waiting on it without an answer.
   */
  private static <T> CompletionStage<T> ask(Supplier<CompletionStage<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * When admitting without a count, from now, ends. On {@link System#nanoTime}, not the wall clock
   * that places windows: a clock stepped back by NTP made the 5 s last as long as the step.
   */
  private static long failOpenDeadline() {
    return System.nanoTime() + FAIL_OPEN_MILLIS * 1_000_000;
  }

  private static boolean failingOpen(long deadline) {
    return deadline != NONE && System.nanoTime() - deadline < 0;
  }

  /**
   * Warns of the counters' outage once per {@link #FAIL_OPEN_MILLIS}: a partition fails the takes of
   * every key whose counters its other side owns, and a warning per key and take was thousands of
   * lines a second with a limit per client IP (on the event loop when the member had shut down).
   */
  private void warnUnavailable(Throwable failure) {
    long now = System.nanoTime();
    long last = lastWarned.get();
    if ((last == NONE || now - last >= FAIL_OPEN_MILLIS * 1_000_000) && lastWarned.compareAndSet(last, now)) {
      LOG.warnf("rate-limit counters unavailable, requests admitted for %d s: %s", FAIL_OPEN_MILLIS / 1000,
          why(failure));
    }
  }

  /** Requests admitted since the start while the counters were down (metric {@code outpost_gateway_rate_limit_uncounted_total}). */
  public long admittedUncounted() {
    return admittedUncounted.sum();
  }

  /** A store's failure for the log: a timeout has no message of its own ("null" before). */
  private static String why(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return cause instanceof java.util.concurrent.TimeoutException ? "no answer in time (a member lost or overloaded)"
        : cause.toString();
  }

  /**
   * Drops the buckets whose window has ended, and the store's ended counters; run off the event
   * loop. A bucket still admitting without a count is kept: dropped, its key's next window forgot
   * the outage and waited for the store's timeout again.
   */
  public void sweep() {
    long now = clock.getAsLong();
    buckets.values().removeIf(b -> {
      synchronized (b) {
        return b.endMillis <= now && !failingOpen(b.failOpenUntil);
      }
    });
    store.sweep();
  }

  /** Local buckets held now. */
  int buckets() {
    return buckets.size();
  }

  /**
   * The bucket of {@code id} for the window {@code current}, or for a newer one it already has (a
   * clock stepped back); null when it has none and the map is full. A key whose counters failed
   * lately stays admitted into its next window, rather than waiting for the store's timeout again.
   */
  private Bucket bucketFor(BucketKey id, long current, long periodMillis) {
    Bucket bucket = buckets.get(id);
    if (bucket != null && bucket.window >= current) {
      return bucket;
    }
    if (bucket == null && buckets.size() >= MAX_BUCKETS) {
      return null;
    }
    return buckets.compute(id, (k, old) -> {
      if (old != null && old.window >= current) {
        return old;
      }
      Bucket fresh = new Bucket(current, periodMillis);
      if (old != null) {
        synchronized (old) {
          fresh.failOpenUntil = old.failOpenUntil; // written under its lock by a store's thread
        }
      }
      return fresh;
    });
  }

  /**
   * One request of a key without a local bucket, counted in the store directly. After a failure such
   * keys are admitted without asking for {@link #FAIL_OPEN_MILLIS}, all together (they have no bucket
   * to remember it in), and the failure is logged once.
   */
  private CompletionStage<Decision> takeOne(String key, long limit, long periodMillis, long window, long now) {
    long resetSeconds = Math.max(1, ((window + 1) * periodMillis - now + 999) / 1000);
    if (failingOpen(unbucketedFailOpenUntil)) {
      admittedUncounted.increment();
      return CompletableFuture.completedFuture(new Decision(true, limit, 0, resetSeconds, window));
    }
    return ask(() -> store.take(key + "|" + window, 1, limit, periodMillis + 5000)).handle((grant, failure) -> {
      if (failure != null) {
        warnUnavailable(failure);
        unbucketedFailOpenUntil = failOpenDeadline();
        admittedUncounted.increment();
        return new Decision(true, limit, 0, resetSeconds, window);
      }
      return new Decision(grant.granted() > 0, limit, Math.max(0, limit - grant.used()), resetSeconds, window);
    });
  }
}
