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
   * How long a take may wait for the partition owner. A member lost without a TCP reset (a node
   * failure, a partition) is declared dead only after Hazelcast's heartbeat timeout (60 s), and
   * every request of its keys waited that long; past this the limiter admits and logs instead. A
   * take is well under a millisecond on a working cluster.
   */
  static final Duration TAKE_TIMEOUT = Duration.ofSeconds(1);

  private final IMap<String, Long> counters;

  public HazelcastCounterStore(HazelcastInstance hazelcast) {
    this.counters = hazelcast.getMap(MAP);
  }

  @Override
  public CompletionStage<Grant> take(String key, long wanted, long limit, long ttlMillis) {
    // the timeout goes on a future of our own: put on Hazelcast's, it completed that one, and the
    // late answer then logged a warning with a stack trace per take (per key, in an outage)
    CompletableFuture<Grant> grant = new CompletableFuture<>();
    counters.submitToKey(key, new TakeTokens(wanted, limit, ttlMillis)).whenComplete((taken, failure) -> {
      if (failure != null) {
        grant.completeExceptionally(failure);
      } else {
        grant.complete(taken);
      }
    });
    return grant.orTimeout(TAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
