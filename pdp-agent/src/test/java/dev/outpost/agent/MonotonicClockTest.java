package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {

  @Test
  void itStartsAtTheWallClocksTimeAndMovesOnlyWithTheMonotonicOne() {
    AtomicLong nanos = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
    Instant start = Instant.parse("2026-12-06T12:00:00Z");
    MonotonicClock clock = new MonotonicClock(start, nanos::get);
    assertThat(clock.instant()).isEqualTo(start);
    nanos.addAndGet(10_000_000_000L);
    assertThat(clock.instant()).isEqualTo(start.plusSeconds(10));
    assertThat(clock.millis()).isEqualTo(start.plusSeconds(10).toEpochMilli());
  }
}
