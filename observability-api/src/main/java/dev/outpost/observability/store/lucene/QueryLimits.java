package dev.outpost.observability.store.lucene;

/**
 * Limits a Lucene store applies to every read.
 *
 * @param maxPageChars a page of logs ends early, with a cursor, once its records hold more text than
 *     this (see {@link dev.outpost.observability.store.RecordSize}), and a trace once its spans do (their stored JSON); the first
 *     record or span is always returned
 */
public record QueryLimits(int maxClauses, long timeBudgetMillis, int maxTraceSpans, long maxPageChars) {}
