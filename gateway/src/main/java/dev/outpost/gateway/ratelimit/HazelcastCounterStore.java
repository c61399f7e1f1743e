package dev.outpost.gateway.ratelimit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.concurrent.CompletionStage;

/**
 * Counters in a Hazelcast map (one synchronous backup, so a member leaving loses none): each take
 * is one entry processor on the partition owner.
 */
public final class HazelcastCounterStore implements CounterStore {

  /** The map holding the counters; its config sets one backup. */
  public static final String MAP = "outpost-rate-limits";

  private final IMap<String, Long> counters;

  public HazelcastCounterStore(HazelcastInstance hazelcast) {
    this.counters = hazelcast.getMap(MAP);
  }

  @Override
  public CompletionStage<Grant> take(String key, long wanted, long limit, long ttlMillis) {
    return counters.submitToKey(key, new TakeTokens(wanted, limit, ttlMillis));
  }
}
