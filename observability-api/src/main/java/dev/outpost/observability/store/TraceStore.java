package dev.outpost.observability.store;

import java.time.LocalDate;
import java.util.List;
import java.util.SortedSet;

/**
 * Stored spans.
 *
 * <p>Same write contract as {@link LogStore}: visible within 1 s, unique {@code seq},
 * {@link #forget} for idempotent replay. Same read contract: every read is restricted to its
 * {@link ProjectScope}; spans of other projects are invisible, even inside a visible trace.
 */
public interface TraceStore {

  /** Indexes the spans. Safe to call from many threads. */
  default void write(List<SpanEntry> spans) {
    prepare(spans).write();
  }

  /** The spans made ready to index ({@link PreparedWrite}). Safe to call from many threads. */
  PreparedWrite prepare(List<SpanEntry> spans);

  /** Removes every span with seq in [fromSeq, toSeq). Idempotent. */
  void forget(long fromSeq, long toSeq);

  /** Makes everything written so far durable in the store, so the journal up to here can go. */
  void commit();

  /** The visible spans of one trace, ordered by start time; empty when none is visible. */
  default List<SpanEntry> trace(ProjectScope scope, String traceId) {
    return trace(scope, traceId, AnswerMemory.UNLIMITED).spans();
  }

  /**
   * The visible spans of one trace, held in {@code memory}: the earliest, cut short where the answer's
   * budget, its memory or the time budget ends, and then marked partial.
   */
  TraceSpans trace(ProjectScope scope, String traceId, AnswerMemory memory);

  /** One trace's spans, ordered by start time; {@code partial} when spans were left out. */
  record TraceSpans(List<SpanEntry> spans, boolean partial) {}

  /**
   * The visible spans of each trace, in the order given, skipping traces with none visible. Together they
   * hold at most what one trace may: the first trace is cut as {@link #trace} cuts it, and a later trace
   * that does not fit whole is left out with the ones after it, the batch marked partial. What they
   * hold is held in {@code memory}, and what it refuses does not fit.
   */
  TraceBatch traces(ProjectScope scope, List<String> traceIds, AnswerMemory memory);

  /** Ids of the traces with a span matching the search, newest first. */
  FoundTraces findTraceIds(TraceSearch search);

  /**
   * Trace ids found, newest first; {@code partial} when the search stopped before it had looked at
   * every span it could match (out of time, or past the spans one search reads).
   */
  record FoundTraces(List<String> ids, boolean partial) {}

  /**
   * The days in {@code range} that reads leave out because their index is damaged: a read met
   * damage there, and the day's files failed their checksums. The other days answer as before, and
   * an answer names these days. Empty while every day reads.
   */
  SortedSet<LocalDate> unreadableDays(TimeRange range);

  /** Service names that have spans in the scope and range. */
  SortedSet<String> services(ProjectScope scope, TimeRange range);

  /**
   * The calls between services among the spans that started in {@code range} (a span of another
   * service than its parent's is one call of the parent's service to its own), within the scope: a
   * parent of another project is not seen, and its child counts no call. What the scan holds is
   * held in {@code memory}; the graph is partial when it refused more, or time ran out.
   */
  ServiceGraph serviceGraph(ProjectScope scope, TimeRange range, AnswerMemory memory);

  /** Span names (with kinds) of a service in the scope and range; kind filter optional (null). */
  List<Operation> operations(ProjectScope scope, TimeRange range, String service, String kind);
}
