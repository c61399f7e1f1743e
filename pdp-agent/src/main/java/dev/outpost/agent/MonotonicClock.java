package dev.outpost.agent;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * A clock that reads the wall clock once and then moves with {@link System#nanoTime}: for waits
 * measured in instants (a route held on its old integration 10 minutes at most, drained 10 s before
 * it goes), which a wall clock stepped by NTP cut short or stretched by the step. Its instants drift
 * from the wall clock's by what NTP corrects after the start.
 */
public final class MonotonicClock extends Clock {
  private final Instant anchor;
  private final long anchorNanos;
  private final LongSupplier nanoTime;

  MonotonicClock(Instant anchor, LongSupplier nanoTime) {
    this.anchor = anchor;
    this.nanoTime = nanoTime;
    this.anchorNanos = nanoTime.getAsLong();
  }

  /** Starting at the wall clock's time now. */
  public static MonotonicClock startingNow() {
    return new MonotonicClock(Instant.now(), System::nanoTime);
  }

  @Override
  public Instant instant() {
    return anchor.plusNanos(nanoTime.getAsLong() - anchorNanos);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a monotonic clock has no zone but UTC");
  }
}
