package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The passes the drift watches ask for, each after its wait: one pending, at the earliest asked for.
 * Timed by what the worker runs, not by fixed sleeps, which a loaded machine's late worker outran:
 * a pass is waited for; "no other" is checked once the worker has run a task due after the one that
 * must not come (it runs its tasks one at a time, in the order they are due).
 */
class DriftResyncsTest {
  final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
  final AtomicInteger passes = new AtomicInteger();
  /** {@link System#nanoTime} of the first pass. */
  final AtomicLong firstPassAt = new AtomicLong();

  @AfterEach
  void stop() {
    worker.shutdownNow();
  }

  void pass() {
    if (passes.incrementAndGet() == 1) {
      firstPassAt.set(System.nanoTime());
    }
  }

  @Test
  void aShorterWaitAskedForLaterBringsThePassForwardAndOnePassServesBoth() throws Exception {
    DriftResyncs resyncs = new DriftResyncs(worker, this::pass);
    long asked = System.nanoTime();
    resyncs.request(Duration.ofSeconds(3)); // an object another controller keeps changing
    resyncs.request(Duration.ofMillis(100)); // then another object, changed once

    awaitPasses(1);
    // the pass at 3 s runs no sooner (a timer never fires early): one sooner is the 100 ms one, however late
    assertThat(Duration.ofNanos(firstPassAt.get() - asked)).as("the pass at the shorter wait")
        .isLessThan(Duration.ofSeconds(3));
    workerRanWhatIsDueWithin(Duration.ofSeconds(3));
    assertThat(passes.get()).as("and no other: that pass put back both").isEqualTo(1);
  }

  @Test
  void aLongerWaitAskedForLaterKeepsThePassPending() throws Exception {
    DriftResyncs resyncs = new DriftResyncs(worker, this::pass);
    long asked = System.nanoTime();
    resyncs.request(Duration.ofMillis(100));
    resyncs.request(Duration.ofSeconds(3));

    awaitPasses(1);
    assertThat(Duration.ofNanos(firstPassAt.get() - asked)).as("the pass at the shorter wait")
        .isLessThan(Duration.ofSeconds(3));
    workerRanWhatIsDueWithin(Duration.ofSeconds(3));
    assertThat(passes.get()).isEqualTo(1);
  }

  /** A change while a pass runs may come after that pass read it: it gets a pass of its own. */
  @Test
  void aRequestWhileAPassRunsGetsAPassOfItsOwn() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DriftResyncs resyncs = new DriftResyncs(worker, () -> {
      if (passes.incrementAndGet() == 1) {
        running.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    resyncs.request(Duration.ofMillis(10));
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    resyncs.request(Duration.ofMillis(10));
    release.countDown();

    awaitPasses(2);
    workerRanWhatIsDueWithin(Duration.ofMillis(100));
    assertThat(passes.get()).isEqualTo(2);
  }

  /** Waits for at least {@code n} passes, for at most 10 s. */
  private void awaitPasses(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (passes.get() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(passes.get()).as("passes within 10 s").isGreaterThanOrEqualTo(n);
  }

  /** Waits for the worker to run a task due {@code wait} from now: every task due sooner has run before it. */
  private void workerRanWhatIsDueWithin(Duration wait) throws Exception {
    worker.schedule(() -> { }, wait.toNanos(), TimeUnit.NANOSECONDS).get(wait.toSeconds() + 10, TimeUnit.SECONDS);
  }
}
