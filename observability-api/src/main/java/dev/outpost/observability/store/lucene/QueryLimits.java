package dev.outpost.observability.store.lucene;

/** Limits a Lucene store applies to every read. */
public record QueryLimits(int maxClauses, long timeBudgetMillis, int maxTraceSpans) {}
