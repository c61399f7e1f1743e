package dev.outpost.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void ceilingDoublesFromOneSecondAndIsCappedAtSixty() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(1));
    long[] ceilings = new long[10];
    for (int i = 0; i < ceilings.length; i++) {
      ceilings[i] = backoff.ceilingMillis();
      backoff.next();
    }
    assertThat(ceilings).containsExactly(1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000);
    backoff.reset();
    assertThat(backoff.ceilingMillis()).isEqualTo(1000);
  }

  @Test
  void delaysAreFullyJitteredWithinTheCeiling() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(7));
    for (int i = 0; i < 6; i++) {
      backoff.next();
    }
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 2000; i++) {
      long d = backoff.next().toMillis();
      assertThat(d).isBetween(0L, 60_000L);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).as("jitter reaches low values").isLessThan(6_000);
    assertThat(max).as("jitter reaches the cap").isGreaterThan(54_000);
  }

  @Test
  void refusesNonsenseBounds() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Random()))
        .hasMessageContaining("base");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()))
        .hasMessageContaining("cap");
  }
}
