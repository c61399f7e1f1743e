package dev.outpost.observability.store.lucene;

/**
 * Limits a Lucene store applies to every read.
 *
 * @param maxPageChars a page of logs ends early, with a cursor, once its records hold more text than
 *     this (see {@link RecordSize}), and a trace once its spans do (their stored JSON); the first
 *     record or span is always returned
 */
public record QueryLimits(int maxClauses, long timeBudgetMillis, int maxTraceSpans, long maxPageChars) {

  /** The default {@code maxPageChars}: 16 Mi characters. */
  public static final long DEFAULT_MAX_PAGE_CHARS = 16L * 1024 * 1024;

  public QueryLimits(int maxClauses, long timeBudgetMillis, int maxTraceSpans) {
    this(maxClauses, timeBudgetMillis, maxTraceSpans, DEFAULT_MAX_PAGE_CHARS);
  }
}
