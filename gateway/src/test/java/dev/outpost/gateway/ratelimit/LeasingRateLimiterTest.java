package dev.outpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /** A route whose period changes keeps limiting; it made the limiter recurse until the stack overflowed. */
  @Test
  void aRouteWhosePeriodChangesStartsABucketForTheNewPeriod() {
    AtomicLong now = new AtomicLong(1_700_000_000_000L);
    LeasingRateLimiter limiter = new LeasingRateLimiter(new LocalCounterStore(), 0.01, now::get);
    assertThat(limiter.acquire("k", 10, 60).toCompletableFuture().join().allowed()).isTrue();
    LeasingRateLimiter.Decision longer = limiter.acquire("k", 10, 3600).toCompletableFuture().join();
    assertThat(longer.allowed()).isTrue();
    assertThat(longer.window()).isEqualTo(now.get() / 3_600_000);
  }

  /** A raised limit admits at once what the new limit leaves, not only once the window ends. */
  @Test
  void aRaisedLimitAdmitsWhatItLeaves() {
    AtomicLong now = new AtomicLong(1_700_000_000_000L);
    LeasingRateLimiter limiter = new LeasingRateLimiter(new LocalCounterStore(), 0.01, now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.acquire("k", 3, 60).toCompletableFuture().join().allowed()).isTrue();
    }
    assertThat(limiter.acquire("k", 3, 60).toCompletableFuture().join().allowed()).isFalse();
    List<Boolean> raised = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      raised.add(limiter.acquire("k", 10, 60).toCompletableFuture().join().allowed());
    }
    assertThat(raised).containsExactly(true, true, true, true, true, true, true, false);
  }

  /** A clock stepped back across a window's start counts in the window the bucket has, not in an endless retry. */
  @Test
  void aClockSteppedBackCountsInTheNewerWindow() {
    AtomicLong now = new AtomicLong(1_700_000_040_000L);
    LeasingRateLimiter limiter = new LeasingRateLimiter(new LocalCounterStore(), 0.01, now::get);
    long window = limiter.acquire("k", 5, 60).toCompletableFuture().join().window();
    now.addAndGet(-60_000);
    LeasingRateLimiter.Decision back = limiter.acquire("k", 5, 60).toCompletableFuture().join();
    assertThat(back.allowed()).isTrue();
    assertThat(back.window()).isEqualTo(window);
  }

  /**
   * Many keys do not make requests scan them, nor drop the live buckets of a longer period: past
   * 100,000 keys every request scanned the map, and took the one-second windows' numbers for every
   * period's, dropping hour-long buckets with their leases (1% of the budget was admitted). Past
   * the cap a new key is counted in the store directly, exactly.
   */
  @Test
  void manyKeysLeaveTheBucketsOfOtherPeriodsAloneAndKeysPastTheCapAreCountedExactly() {
    AtomicLong now = new AtomicLong(1_700_000_000_000L);
    LeasingRateLimiter limiter = new LeasingRateLimiter(new LocalCounterStore(), 0.01, now::get);
    assertThat(limiter.acquire("hourly", 10_000, 3600).toCompletableFuture().join().allowed()).isTrue();
    for (int i = 0; limiter.buckets() < LeasingRateLimiter.MAX_BUCKETS; i++) {
      limiter.acquire("second-" + i, 100, 1);
    }
    int admitted = 0;
    for (int i = 0; i < 200; i++) {
      limiter.acquire("second-7", 100, 1);
      if (limiter.acquire("hourly", 10_000, 3600).toCompletableFuture().join().allowed()) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(200);
    List<Boolean> pastTheCap = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pastTheCap.add(limiter.acquire("newcomer", 3, 60).toCompletableFuture().join().allowed());
    }
    assertThat(pastTheCap).containsExactly(true, true, true, false, false);
    assertThat(limiter.buckets()).isEqualTo(LeasingRateLimiter.MAX_BUCKETS);

    now.addAndGet(1_000);
    limiter.sweep();
    assertThat(limiter.buckets()).as("the one-second windows ended; the hour's goes on").isEqualTo(1);
  }

  /**
   * A key whose counters failed stays admitted into its next window, instead of waiting for the
   * timeout again; also when the sweep ran between the two windows (it dropped the key's bucket, and
   * the outage with it).
   */
  @ParameterizedTest(name = "swept between the windows: {0}")
  @ValueSource(booleans = {false, true})
  void aKeyAdmittedForAnOutageStaysAdmittedIntoItsNextWindow(boolean swept) throws Exception {
    AtomicLong now = new AtomicLong(1_700_000_000_000L);
    AtomicInteger asked = new AtomicInteger();
    CounterStore silent = (key, wanted, limit, ttl) -> {
      asked.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("owner gone"));
    };
    LeasingRateLimiter limiter = new LeasingRateLimiter(silent, 0.01, now::get);
    assertThat(limiter.acquire("k", 10, 1).toCompletableFuture().get(1, TimeUnit.SECONDS).allowed()).isTrue();
    now.addAndGet(1_000);
    if (swept) {
      limiter.sweep();
    }
    CompletableFuture<LeasingRateLimiter.Decision> next = limiter.acquire("k", 10, 1).toCompletableFuture();
    assertThat(next.getNow(null)).as("decided at once").isNotNull();
    assertThat(next.join().allowed()).isTrue();
    // the store failing at once also decides at once: what shows the outage carried over is not asking again
    assertThat(asked).as("the counters were not asked again within the outage").hasValue(1);
  }

  /**
   * The 5 s of admitting without a count after the counters failed are measured on a monotonic
   * clock: measured on the wall clock, one stepped back by two minutes (NTP) admitted every request
   * of the key uncounted for two minutes, the counters back or not.
   */
  @Test
  void aWallClockSteppedBackDoesNotLengthenAnOutagesAdmissions() throws Exception {
    AtomicLong now = new AtomicLong(1_700_000_000_000L);
    AtomicInteger asked = new AtomicInteger();
    LocalCounterStore counters = new LocalCounterStore();
    CounterStore failingOnce = (key, wanted, limit, ttl) -> asked.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new IllegalStateException("owner gone"))
        : counters.take(key, wanted, limit, ttl);
    LeasingRateLimiter limiter = new LeasingRateLimiter(failingOnce, 0.01, now::get);
    assertThat(limiter.acquire("k", 1000, 3600).toCompletableFuture().get(1, TimeUnit.SECONDS).allowed()).isTrue();
    now.addAndGet(-120_000);
    Thread.sleep(LeasingRateLimiter.FAIL_OPEN_MILLIS + 300);
    assertThat(limiter.acquire("k", 1000, 3600).toCompletableFuture().get(1, TimeUnit.SECONDS).allowed()).isTrue();
    assertThat(asked).as("the counters asked again once the outage's 5 s passed").hasValue(2);
  }

  /**
   * Counters that do not answer: the requests waiting on the take are all admitted when it times out,
   * and so are the next for a while. Before, each timeout let one request through and the next
   * waited for another timeout, so the fifth waited about 5 s.
   */
  @Test
  void countersThatDoNotAnswerHoldRequestsForOneTimeoutOnly() throws Exception {
    CounterStore silent = (key, wanted, limit, ttl) -> new CompletableFuture<CounterStore.Grant>().orTimeout(1, TimeUnit.SECONDS);
    LeasingRateLimiter limiter = new LeasingRateLimiter(silent, 0.01);
    long start = System.nanoTime();
    List<CompletableFuture<LeasingRateLimiter.Decision>> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(limiter.acquire("hot", 100, 60).toCompletableFuture());
    }
    for (CompletableFuture<LeasingRateLimiter.Decision> decision : waiting) {
      assertThat(decision.get(10, TimeUnit.SECONDS).allowed()).isTrue();
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
    assertThat(limiter.acquire("hot", 100, 60).toCompletableFuture().getNow(null))
        .as("admitted at once while the counters are taken as down").isNotNull()
        .extracting(LeasingRateLimiter.Decision::allowed).isEqualTo(true);
  }

  /**
   * A partition takes the counters of many keys away at once: one warning per outage, not one per key
   * and failed take (thousands of lines a second with a limit per client IP); what is admitted
   * without them is counted, for the metric.
   */
  @Test
  void countersDownForManyKeysWarnOnceAndCountWhatTheyAdmit() {
    CounterStore down = (key, wanted, limit, ttl) -> CompletableFuture.failedFuture(new IllegalStateException("owner gone"));
    LeasingRateLimiter limiter = new LeasingRateLimiter(down, 0.01);
    try (dev.outpost.gateway.support.LogCapture log = dev.outpost.gateway.support.LogCapture.start()) {
      for (int i = 0; i < 500; i++) {
        assertThat(limiter.acquire("client-" + i, 100, 60).toCompletableFuture().join().allowed()).isTrue();
      }
      assertThat(log.records().stream().filter(r -> String.valueOf(r.getMessage()).startsWith("rate-limit counters unavailable")))
          .hasSize(1);
    }
    assertThat(limiter.admittedUncounted()).isEqualTo(500);
  }

  /**
   * Counters that stop answering mid-window: the key is admitted without a count, but only as far as
   * the window had budget left when they last answered. Before, every request was admitted for 5 s.
   */
  @Test
  void countersGoingDownAdmitNoMoreThanTheWindowHadLeft() {
    AtomicLong now = new AtomicLong(1_700_000_000_000L);
    java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
    LeasingRateLimiter limiter = sixtyOfAHundredSpent(now, down);
    down.set(true);
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      admitted += limiter.acquire("k", 100, 60).toCompletableFuture().join().allowed() ? 1 : 0;
    }
    assertThat(admitted).as("what the window had left").isEqualTo(40);
  }

  /**
   * Counters that answer again in the same window are charged what was admitted without them: the
   * window's 100 were spent, 60 counted and 40 while they were down. Before, they went on from 60
   * and admitted 40 more.
   */
  @Test
  void countersComingBackAreChargedWhatWasAdmittedWithoutThem() {
    AtomicLong now = new AtomicLong(1_700_000_000_000L);
    java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
    LeasingRateLimiter limiter = sixtyOfAHundredSpent(now, down);
    down.set(true);
    for (int i = 0; i < 40; i++) {
      assertThat(limiter.acquire("k", 100, 60).toCompletableFuture().join().allowed()).isTrue();
    }
    down.set(false);
    now.addAndGet(6_000); // past the 5 s the key is admitted without asking
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      admitted += limiter.acquire("k", 100, 60).toCompletableFuture().join().allowed() ? 1 : 0;
    }
    assertThat(admitted).as("admitted in the window after the counters came back").isZero();
  }

  /**
   * A limiter at {@code now} whose counters fail while {@code down} is set, having admitted 60 of key
   * {@code k}'s 100 a minute (leases of 10).
   */
  private static LeasingRateLimiter sixtyOfAHundredSpent(AtomicLong now, java.util.concurrent.atomic.AtomicBoolean down) {
    LocalCounterStore counters = new LocalCounterStore();
    CounterStore store = (key, wanted, limit, ttl) -> down.get()
        ? CompletableFuture.failedFuture(new IllegalStateException("owner gone")) : counters.take(key, wanted, limit, ttl);
    LeasingRateLimiter limiter = new LeasingRateLimiter(store, 0.1, now::get);
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.acquire("k", 100, 60).toCompletableFuture().join().allowed()).isTrue();
    }
    return limiter;
  }

  /**
   * Without a cluster the counters of keys past the replica's buckets are this store's: clients
   * rotating keys (a /64 each) filled it for the whole period. Past its cap it drops counters used
   * least lately, as the Hazelcast map evicts.
   */
  @Test
  void theLocalCountersStayWithinTheirCapWhenClientsRotateKeys() {
    LocalCounterStore counters = new LocalCounterStore(1_000);
    for (int i = 0; i < 5_000; i++) {
      counters.take("rotating-" + i, 1, 10, 120_000).toCompletableFuture().join();
    }
    assertThat(counters.size()).isLessThanOrEqualTo(1_000);
    for (int i = 0; i < 9; i++) {
      counters.take("fresh", 1, 10, 60_000).toCompletableFuture().join();
    }
    assertThat(counters.take("fresh", 1, 10, 60_000).toCompletableFuture().join().granted()).as("a new key is still counted")
        .isEqualTo(1);
    assertThat(counters.take("fresh", 1, 10, 60_000).toCompletableFuture().join().granted()).isZero();
  }

  /** Keys past the cap have no bucket to remember an outage in: after one failure they are admitted at once for a while. */
  @Test
  void keysPastTheCapAreAdmittedAtOnceForAWhileAfterTheCountersFail() {
    java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
    LocalCounterStore counters = new LocalCounterStore();
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    CounterStore store = (key, wanted, limit, ttl) -> {
      asked.incrementAndGet();
      return down.get() ? CompletableFuture.failedFuture(new IllegalStateException("owner gone"))
          : counters.take(key, wanted, limit, ttl);
    };
    LeasingRateLimiter limiter = new LeasingRateLimiter(store, 0.01);
    for (int i = 0; limiter.buckets() < LeasingRateLimiter.MAX_BUCKETS; i++) {
      limiter.acquire("key-" + i, 100, 60);
    }
    down.set(true);
    int before = asked.get();
    for (int i = 0; i < 50; i++) {
      assertThat(limiter.acquire("past-" + i, 100, 60).toCompletableFuture().join().allowed()).isTrue();
    }
    assertThat(asked.get() - before).as("the store asked once, not for each key").isEqualTo(1);
  }
}
