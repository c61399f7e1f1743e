package dev.outpost.observability.store;

/** A half-open range of record times [fromNanos, toNanos), in Unix nanoseconds. */
public record TimeRange(long fromNanos, long toNanos) {

  public TimeRange {
    if (fromNanos >= toNanos) {
      throw new IllegalArgumentException("a time range must end after it starts");
    }
  }
}
