package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AcceptWindowTest {

  private static final Duration WEEK = Duration.ofDays(7);

  private static long millis(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  private static long nanos(String instant) {
    return millis(instant) * 1_000_000L;
  }

  @Test
  void aReplayTakesWhatTheReceiptTookWhileItsDayIsKept() {
    long received = millis("2026-12-05T23:59:50Z");
    // taken at receipt: 7 days before it, less 5 s
    assertThat(AcceptWindow.at(received, WEEK).check(nanos("2026-11-28T23:59:55Z"))).isNull();
    // replayed the same day: still taken, though it has left the window of the replay's moment
    assertThat(AcceptWindow.forReplay(received, millis("2026-12-05T23:59:58Z"), WEEK)
        .check(nanos("2026-11-28T23:59:55Z"))).isNull();
  }

  @Test
  void aReplayAfterMidnightDoesNotMakeADayRetentionDroppedAgain() {
    long received = millis("2026-12-05T23:59:50Z");
    AcceptWindow replay = AcceptWindow.forReplay(received, millis("2026-12-06T00:00:30Z"), WEEK);
    // retention keeps 2026-11-29 on from 2026-12-06 on: 11-28 is gone
    assertThat(replay.check(nanos("2026-11-28T23:59:55Z"))).isEqualTo("older than the retention period");
    assertThat(replay.check(nanos("2026-11-29T00:00:01Z"))).isNull();
    // a time that decides no day (an observed time) is refused only ahead, also at a replay
    assertThat(replay.ahead(nanos("2026-11-28T23:59:55Z"))).isNull();
    assertThat(replay.ahead(nanos("2026-12-07T00:00:00Z"))).isEqualTo("more than a day in the future");
    assertThat(replay.ahead(Long.MIN_VALUE)).isEqualTo("more than a day in the future");
  }
}
