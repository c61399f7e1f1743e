package dev.outpost.observability.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that becomes true asynchronously (searcher refresh, SSE delivery). */
public final class Eventually {

  private Eventually() {}

  public static void within(Duration limit, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    if (!condition.getAsBoolean()) {
      throw new AssertionError("not within " + limit.toMillis() + " ms: " + what);
    }
  }
}
