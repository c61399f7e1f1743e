package dev.outpost.observability.store;

import java.util.Optional;

/**
 * A log search.
 *
 * @param text Lucene query syntax over the documented fields; blank matches everything
 * @param minSeverityNumber records below this OTLP severity number are left out (0: none)
 * @param after the position to continue after, for cursor pagination
 */
public record LogSearch(
    ProjectScope scope,
    TimeRange range,
    String text,
    Optional<String> integration,
    int minSeverityNumber,
    int limit,
    Optional<Position> after) {

  /** A place in the newest-first order: the last record of the previous page. */
  public record Position(long timeNanos, long seq) {}
}
