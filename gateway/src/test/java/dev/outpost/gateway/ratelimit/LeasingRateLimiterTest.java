package dev.outpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limiter over the in-memory counters a gateway uses without a cluster, which answer at once. */
class LeasingRateLimiterTest {

  @Test
  void countersThatAnswerAtOnceAdmitTheLimitThenRefuse() {
    LeasingRateLimiter limiter = new LeasingRateLimiter(new LocalCounterStore(), 0.01);
    List<Boolean> allowed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      allowed.add(limiter.acquire("client-a", 3, 60).toCompletableFuture().join().allowed());
    }
    assertThat(allowed).containsExactly(true, true, true, false, false, false, false, false, false, false);
  }

  @Test
  void aLargeLimitIsSpentLeaseByLease() {
    LeasingRateLimiter limiter = new LeasingRateLimiter(new LocalCounterStore(), 0.01);
    long admitted = 0;
    for (int i = 0; i < 1_200; i++) {
      if (limiter.acquire("client-b", 1_000, 60).toCompletableFuture().join().allowed()) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(1_000);
  }
}
