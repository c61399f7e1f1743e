package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The passes the drift watches ask for, each after its wait: one pending, at the earliest asked for. */
class DriftResyncsTest {
  final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
  final AtomicInteger passes = new AtomicInteger();

  @AfterEach
  void stop() {
    worker.shutdownNow();
  }

  @Test
  void aShorterWaitAskedForLaterBringsThePassForwardAndOnePassServesBoth() throws Exception {
    DriftResyncs resyncs = new DriftResyncs(worker, passes::incrementAndGet);
    resyncs.request(Duration.ofSeconds(3)); // an object another controller keeps changing
    resyncs.request(Duration.ofMillis(100)); // then another object, changed once

    Thread.sleep(600);
    assertThat(passes.get()).as("the pass at the shorter wait").isEqualTo(1);
    Thread.sleep(3000);
    assertThat(passes.get()).as("and no other: that pass put back both").isEqualTo(1);
  }

  @Test
  void aLongerWaitAskedForLaterKeepsThePassPending() throws Exception {
    DriftResyncs resyncs = new DriftResyncs(worker, passes::incrementAndGet);
    resyncs.request(Duration.ofMillis(100));
    resyncs.request(Duration.ofSeconds(3));

    Thread.sleep(600);
    assertThat(passes.get()).isEqualTo(1);
    Thread.sleep(3000);
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

    Thread.sleep(500);
    assertThat(passes.get()).isEqualTo(2);
  }
}
