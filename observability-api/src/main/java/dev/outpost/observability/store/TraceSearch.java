package dev.outpost.observability.store;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A search for traces: a trace matches when one of its spans matches every condition.
 *
 * @param attributes exact attribute values the span must carry
 * @param limit most traces returned, newest first
 */
public record TraceSearch(
    ProjectScope scope,
    TimeRange range,
    Optional<String> service,
    Optional<String> operation,
    Map<String, String> attributes,
    Optional<Duration> minDuration,
    Optional<Duration> maxDuration,
    String text,
    int limit) {

  /**
   * Most attribute conditions one search takes. Each is a clause of one Lucene query, which refuses
   * more than 1,024 in all, and a trace view filters by a handful.
   */
  public static final int MAX_ATTRIBUTE_CONDITIONS = 64;
}
