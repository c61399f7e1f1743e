package dev.outpost.gateway.ratelimit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Counters in a Hazelcast map (one synchronous backup, so a member leaving loses none): each take
 * is one entry processor on the partition owner.
 */
public final class HazelcastCounterStore implements CounterStore {

  /** The map holding the counters; its config sets one backup. */
  public static final String MAP = "outpost-rate-limits";
  /**
   * How long a take (or a read of a count) may wait for the partition owner. A member lost without
   * a TCP reset (a node failure, a partition) is declared dead only after Hazelcast's heartbeat
   * timeout (60 s), and every request of its keys waited that long; past this the limiter admits and
   * logs instead. A take is well under a millisecond on a working cluster.
   */
  static final Duration TAKE_TIMEOUT = Duration.ofSeconds(1);

  private final IMap<String, Long> counters;

  public HazelcastCounterStore(HazelcastInstance hazelcast) {
    this.counters = hazelcast.getMap(MAP);
  }

  @Override
  public CompletionStage<Grant> take(String key, long wanted, long limit, long ttlMillis) {
    return inTime(counters.submitToKey(key, new TakeTokens(wanted, limit, ttlMillis)));
  }

  /** A read on the partition owner: it neither takes nor changes when the counter expires. */
  @Override
  public CompletionStage<Long> used(String key) {
    return inTime(counters.getAsync(key)).thenApply(used -> used == null ? 0L : used);
  }

  /**
   * Hazelcast's answer, or a failure after {@link #TAKE_TIMEOUT}. The timeout goes on a future of our
   * own: put on Hazelcast's, it completed that one, and the late answer then logged a warning with a
   * stack trace per take (per key, in an outage).
   */
  private static <T> CompletionStage<T> inTime(CompletionStage<T> hazelcast) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    hazelcast.whenComplete((value, failure) -> {
      if (failure != null) {
        answer.completeExceptionally(failure);
      } else {
        answer.complete(value);
      }
    });
    return answer.orTimeout(TAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
