package dev.outpost.observability.store;

/** A half-open range of record times [fromNanos, toNanos), in Unix nanoseconds. */
public record TimeRange(long fromNanos, long toNanos) {

  /** Every time there is: what a lookup of a trace by id reads. */
  public static final TimeRange ALL = new TimeRange(Long.MIN_VALUE, Long.MAX_VALUE);

  public TimeRange {
    if (fromNanos >= toNanos) {
      throw new IllegalArgumentException("a time range must end after it starts");
    }
  }
}
