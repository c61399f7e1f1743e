package dev.outpost.spec.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

  @Test
  void ceilingDoublesFromOneSecondAndCapsAtSixty() {
    ReconnectBackoff backoff = new ReconnectBackoff(new Random(1));
    List<Long> ceilings = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ceilings.add(backoff.ceiling().toSeconds());
      backoff.next();
    }
    assertThat(ceilings.subList(0, 8)).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L);
    assertThat(ceilings).allMatch(c -> c <= 60);
  }

  @Test
  void waitsAreJitteredOverTheWholeRange() {
    ReconnectBackoff backoff = new ReconnectBackoff(new Random(7));
    for (int i = 0; i < 8; i++) {
      backoff.next();
    }
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      waits.add(backoff.next());
    }
    assertThat(waits).allMatch(w -> !w.isNegative() && w.compareTo(Duration.ofSeconds(60)) <= 0);
    assertThat(waits).anyMatch(w -> w.compareTo(Duration.ofSeconds(10)) < 0);
    assertThat(waits).anyMatch(w -> w.compareTo(Duration.ofSeconds(50)) > 0);
  }

  @Test
  void resetStartsOverAtOneSecond() {
    ReconnectBackoff backoff = new ReconnectBackoff(new Random(3));
    for (int i = 0; i < 10; i++) {
      backoff.next();
    }
    backoff.reset();
    assertThat(backoff.ceiling()).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.next()).isLessThanOrEqualTo(Duration.ofSeconds(1));
  }
}
