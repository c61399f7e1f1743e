package dev.outpost.agent;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The passes the drift watches ask for, each after its wait (a second; longer for an object another
 * controller keeps changing). One pass puts back every change, so one is pending at a time, at the
 * earliest time asked for: a change to another object brings it forward, a longer wait leaves it. A
 * request once the pending pass has begun gets a pass of its own, since that pass may have read the
 * object before the change.
 */
final class DriftResyncs {
  private final ScheduledExecutorService worker;
  private final Runnable pass;
  private Pending pending;
  private long scheduled;

  private record Pending(long id, long dueNanos, ScheduledFuture<?> future) {}

  /** @param pass the resync, run on {@code worker} */
  DriftResyncs(ScheduledExecutorService worker, Runnable pass) {
    this.worker = worker;
    this.pass = pass;
  }

  /** Asks for a pass in {@code wait} at the latest. */
  synchronized void request(Duration wait) {
    long due = System.nanoTime() + wait.toNanos();
    if (pending != null) {
      if (pending.dueNanos() - due <= 0) {
        return;
      }
      pending.future().cancel(false);
    }
    long id = ++scheduled;
    pending = new Pending(id, due, worker.schedule(() -> run(id), wait.toNanos(), TimeUnit.NANOSECONDS));
  }

  private void run(long id) {
    synchronized (this) {
      if (pending != null && pending.id() == id) {
        pending = null;
      }
    }
    pass.run();
  }
}
