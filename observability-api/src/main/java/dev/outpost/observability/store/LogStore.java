package dev.outpost.observability.store;

import java.time.LocalDate;
import java.util.List;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * Stored log records.
 *
 * <p>Writes: {@link #write} makes records visible to searches within 1 s; it does not make them
 * durable (the journal does). Records carry a unique {@code seq}; {@link #forget} removes a seq
 * range so a journal replay can write it again without duplicates.
 *
 * <p>Reads: every read takes a {@link ProjectScope} and returns only records of those projects,
 * whatever the query text says. An empty result is an empty list, never an error. A query that
 * cannot run is an {@link InvalidQueryException}.
 */
public interface LogStore {

  /** Indexes the records. Safe to call from many threads. */
  default void write(List<LogEntry> records) {
    prepare(records).write();
  }

  /** The records made ready to index ({@link PreparedWrite}). Safe to call from many threads. */
  PreparedWrite prepare(List<LogEntry> records);

  /** Removes every record with seq in [fromSeq, toSeq). Idempotent. */
  void forget(long fromSeq, long toSeq);

  /** Makes everything written so far durable in the store, so the journal up to here can go. */
  void commit();

  /** Records matching the search, newest first (time, then seq), at most {@code limit}. */
  default LogPage search(LogSearch search) {
    return search(search, AnswerMemory.UNLIMITED);
  }

  /** {@link #search(LogSearch)}, the page's text held in {@code memory} and cut short where it is refused. */
  LogPage search(LogSearch search, AnswerMemory memory);

  /** Counts of the records matching the search (its limit and position ignored) per interval. */
  Histogram histogram(LogSearch search, long intervalNanos);

  /**
   * A test equivalent to the search's filters (scope, query text, integration, severity; time
   * range and limit ignored) for records that arrive after it is made: the live tail.
   */
  Predicate<LogEntry> matcher(LogSearch search);

  /**
   * The days in {@code range} that reads leave out because their index is damaged: a read met
   * damage there, and the day's files failed their checksums. The other days answer as before, and
   * an answer names these days. Empty while every day reads.
   */
  SortedSet<LocalDate> unreadableDays(TimeRange range);

  /** Service names that have records in the scope and range. */
  SortedSet<String> services(ProjectScope scope, TimeRange range);
}
