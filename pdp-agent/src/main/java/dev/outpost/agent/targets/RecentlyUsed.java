package dev.outpost.agent.targets;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map of at most {@code capacity} entries, which forgets the one used longest ago past it. Not thread-safe. */
final class RecentlyUsed<K, V> extends LinkedHashMap<K, V> {
  private final int capacity;

  RecentlyUsed(int capacity) {
    super(16, 0.75f, true);
    this.capacity = capacity;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > capacity;
  }
}
