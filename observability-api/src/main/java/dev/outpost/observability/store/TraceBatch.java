package dev.outpost.observability.store;

import java.util.List;

/**
 * Traces read together for one answer.
 *
 * @param traces the visible spans of each trace, in the order asked
 * @param partial true when traces were left out, or one was cut short, to stay within the size budget
 */
public record TraceBatch(List<List<SpanEntry>> traces, boolean partial) {}
