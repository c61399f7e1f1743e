package dev.outpost.runtime;

import java.time.Duration;

/** Retries a check until it passes: for what the runtime does asynchronously (file watching). */
public final class Eventually {

  /** A check that throws {@link AssertionError} until it passes. */
  public interface Check {
    void run() throws Exception;
  }

  private Eventually() {}

  /** Retries {@code check} until it passes, at most 10 seconds. */
  public static void eventually(Check check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }
}
