package dev.outpost.observability.store;

import java.util.List;

/** Record counts per fixed interval, oldest bucket first, empty buckets included. */
public record Histogram(long intervalNanos, List<Bucket> buckets, long total, boolean partial) {

  /** Records with time in [startNanos, startNanos + interval). */
  public record Bucket(long startNanos, long count) {}
}
