package dev.outpost.e2e;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition the way a user retries: until it holds or the deadline passes. */
final class Eventually {
  private Eventually() {}

  /** Returns the first value {@code probe} produces that is not null, or fails with {@code what}. */
  static <T> T await(String what, Duration timeout, Supplier<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = probe.get();
        if (value != null) {
          return value;
        }
      } catch (AssertionError | RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
        + (last == null ? "" : " (last: " + last.getMessage() + ")"), last);
  }
}
