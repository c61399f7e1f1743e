package dev.outpost.observability.ingest;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Record times the store takes: not older than the retention period (it would be deleted at
 * once) and not more than a day ahead of the receipt (a broken clock), both from the moment of
 * receipt, so that a replay after a crash stores what was acknowledged (from the moment of the
 * replay, a record near the retention edge had left the window by then, and was dropped).
 */
record AcceptWindow(long oldestNanos, long newestNanos) {

  static AcceptWindow at(long receivedAtMillis, Duration retention) {
    return new AcceptWindow((receivedAtMillis - retention.toMillis()) * 1_000_000L,
        (receivedAtMillis + Duration.ofDays(1).toMillis()) * 1_000_000L);
  }

  /**
   * At a replay: the receipt's window, less the days retention has dropped by {@code nowMillis} (it
   * keeps whole UTC days from {@code today - retention}): a replay after midnight would otherwise
   * make such a day again, searchable until retention's next pass.
   */
  static AcceptWindow forReplay(long receivedAtMillis, long nowMillis, Duration retention) {
    AcceptWindow atReceipt = at(receivedAtMillis, retention);
    long firstKeptMillis = LocalDate.ofInstant(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC)
        .minusDays(retention.toDays()).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    return new AcceptWindow(Math.max(atReceipt.oldestNanos(), firstKeptMillis * 1_000_000L), atReceipt.newestNanos());
  }

  /**
   * Null when the time is acceptable, else why not. OTLP times are unsigned: one past 2^63 ns
   * (year 2262) reads as negative here, and is in the future, not in the past.
   */
  String check(long timeNanos) {
    String ahead = ahead(timeNanos);
    if (ahead != null) {
      return ahead;
    }
    if (timeNanos < oldestNanos) {
      return "older than the retention period";
    }
    return null;
  }

  /**
   * The future half of {@link #check}: null unless the time is more than a day ahead or past 2^63
   * ns. For a time that decides no day (a log record's observed time): the past half, at a replay,
   * would drop an acknowledged record whose day is kept.
   */
  String ahead(long timeNanos) {
    return timeNanos > newestNanos || timeNanos < 0 ? "more than a day in the future" : null;
  }
}
