package dev.outpost.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.protocol.Status;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatusOutboxTest {
  static Status status(String phase) {
    return status(phase, Instant.parse("2026-11-23T12:00:00Z"));
  }

  static Status status(String phase, Instant at) {
    return new Status(0, "dp", at, 3, 3,
        List.of(new Status.IntegrationStatus("orders", "shop", "v1", phase, 1, 1, null)),
        new Status.GatewayStatus(3, 1, true));
  }

  @Test
  void theNewestStatusWinsAndStaysPendingUntilAcknowledged() {
    StatusOutbox outbox = new StatusOutbox();
    Status first = outbox.offer(status("Deploying")).orElseThrow();
    Status second = outbox.offer(status("Ready")).orElseThrow();
    assertThat(second.seq()).isGreaterThan(first.seq());
    assertThat(outbox.awaitingAck()).isTrue();

    outbox.acknowledge(first.seq());
    assertThat(outbox.awaitingAck()).as("an old ack leaves the newer status waiting").isTrue();
    outbox.acknowledge(second.seq());
    assertThat(outbox.awaitingAck()).isFalse();
    assertThat(outbox.forNewConnection()).as("a restarted control plane lost it: sent again after hello")
        .contains(second);
  }

  @Test
  void anUnchangedObservationIsNotSentAgain() {
    StatusOutbox outbox = new StatusOutbox();
    Status first = outbox.offer(status("Ready")).orElseThrow();
    assertThat(outbox.offer(status("Ready"))).isEmpty();
    assertThat(outbox.forNewConnection()).contains(first);
    assertThat(outbox.offer(status("Failed"))).isPresent();
  }

  @Test
  void anUnchangedStatusIsStillSentEveryMinute() {
    AtomicLong nanos = new AtomicLong();
    StatusOutbox outbox = new StatusOutbox(nanos::get);
    Instant t0 = Instant.parse("2026-11-23T12:00:00Z");
    outbox.offer(status("Ready", t0)).orElseThrow();
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(59));
    assertThat(outbox.offer(status("Ready", t0.plusSeconds(59)))).isEmpty();
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThat(outbox.offer(status("Ready", t0.plusSeconds(60)))).isPresent();
  }

  /** A wall clock stepped back (NTP) does not hold an unchanged status back for as long as the step. */
  @Test
  void aWallClockSteppedBackDoesNotDelayTheMinutesStatus() {
    AtomicLong nanos = new AtomicLong();
    StatusOutbox outbox = new StatusOutbox(nanos::get);
    Instant t0 = Instant.parse("2026-11-23T12:00:00Z");
    outbox.offer(status("Ready", t0)).orElseThrow();
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(60));
    assertThat(outbox.offer(status("Ready", t0.minusSeconds(540)))).isPresent();
  }
}
