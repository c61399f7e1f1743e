package dev.outpost.observability.store.lucene;

import java.util.Comparator;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * The values a listing (services, operations) collects, sorted: the first ones in sort order, at most
 * {@link #MAX_VALUES} of them and {@link #MAX_CHARS} characters together. A client making up names
 * (ids in span or service names, the common instrumentation slip) had every listing hold all of them,
 * a million names on each pick of a service in Jaeger UI, some of them 32 KB long.
 */
final class Listing<T> {

  /** Values a listing holds at most; a dropdown of more is no use to anyone. */
  static final int MAX_VALUES = 10_000;
  /** Characters a listing holds at most, 8 MiB of heap. */
  static final long MAX_CHARS = 4L << 20;

  private final TreeSet<T> values;
  private final Comparator<? super T> order;
  private final ToIntFunction<T> chars;
  private long held;
  /** The first value a bound turned away: nothing at or after it is held, so what is held is a prefix. */
  private T cut;

  private Listing(Comparator<? super T> order, ToIntFunction<T> chars) {
    this.values = new TreeSet<>(order);
    this.order = order;
    this.chars = chars;
  }

  static Listing<String> ofNames() {
    return new Listing<>(Comparator.naturalOrder(), String::length);
  }

  static Listing<java.util.Map.Entry<String, String>> ofPairs() {
    return new Listing<>(java.util.Map.Entry.<String, String>comparingByKey()
        .thenComparing(java.util.Map.Entry.comparingByValue()), p -> p.getKey().length() + p.getValue().length());
  }

  /**
   * Whether a value ordered like {@code candidate} could still be held: none at or past a value a bound
   * turned away (a short name after a long one turned away would make the listing look whole).
   */
  boolean wants(T candidate) {
    return cut == null || order.compare(candidate, cut) < 0;
  }

  void add(T value) {
    if (!wants(value) || !values.add(value)) {
      return;
    }
    held += chars.applyAsInt(value);
    while (values.size() > MAX_VALUES || (held > MAX_CHARS && values.size() > 1)) {
      T dropped = values.pollLast();
      held -= chars.applyAsInt(dropped);
      cut = cut == null || order.compare(dropped, cut) < 0 ? dropped : cut;
    }
  }

  SortedSet<T> values() {
    return values;
  }
}
