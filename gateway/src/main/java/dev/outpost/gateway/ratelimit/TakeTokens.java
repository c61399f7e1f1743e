package dev.outpost.gateway.ratelimit;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs on the member owning a counter's partition: grants what is left of the window's budget up
 * to the amount asked, in one atomic step, and lets the counter expire after its window.
 */
final class TakeTokens implements EntryProcessor<String, Long, CounterStore.Grant> {

  private static final long serialVersionUID = 1L;

  private final long wanted;
  private final long limit;
  private final long ttlMillis;

  TakeTokens(long wanted, long limit, long ttlMillis) {
    this.wanted = wanted;
    this.limit = limit;
    this.ttlMillis = ttlMillis;
  }

  @Override
  public CounterStore.Grant process(Map.Entry<String, Long> entry) {
    long used = entry.getValue() == null ? 0 : entry.getValue();
    long granted = Math.max(0, Math.min(wanted, limit - used));
    if (granted > 0) {
      if (entry.getValue() == null) {
        ((ExtendedMapEntry<String, Long>) entry).setValue(used + granted, ttlMillis, TimeUnit.MILLISECONDS);
      } else {
        ((ExtendedMapEntry<String, Long>) entry).setValueWithoutChangingExpiryTime(used + granted);
      }
    }
    return new CounterStore.Grant(granted, used + granted);
  }
}
