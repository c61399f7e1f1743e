package dev.outpost.runtime.telemetry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One integration's budget of exported log records: a token bucket refilled at {@code perSecond}
 * and holding twice that, so a burst passes whole after a quiet while. What it refuses is counted,
 * with the version of the last record refused, for {@link DroppedLogRecordsReporter}.
 */
final class LogRecordBudget {

  private final double perNano;
  private final double capacity;
  private final AtomicLong dropped = new AtomicLong();
  private double tokens;
  private long refilledAt;
  private volatile IntegrationIdentities.Identity lastDropped;

  LogRecordBudget(int perSecond, long nanos) {
    this.perNano = perSecond / 1e9;
    this.capacity = 2.0 * perSecond;
    this.tokens = capacity;
    this.refilledAt = nanos;
  }

  /** Whether a record of {@code identity} emitted at {@code nanos} ({@link System#nanoTime()}) is within the budget. */
  synchronized boolean admit(IntegrationIdentities.Identity identity, long nanos) {
    tokens = Math.min(capacity, tokens + Math.max(0, nanos - refilledAt) * perNano);
    refilledAt = Math.max(refilledAt, nanos);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    lastDropped = identity;
    dropped.incrementAndGet();
    return false;
  }

  /** How many records it refused since the runtime started. */
  long dropped() {
    return dropped.get();
  }

  /** The integration version of the last record refused, null before any. */
  IntegrationIdentities.Identity lastDropped() {
    return lastDropped;
  }
}
