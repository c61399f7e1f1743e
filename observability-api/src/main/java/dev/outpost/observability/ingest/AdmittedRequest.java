package dev.outpost.observability.ingest;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an admitted OTLP request holds (its in-flight places, its body's memory), given back once
 * its answer has ended and the work it started has finished, whichever comes last. Vert.x ends a
 * request's response when its client hangs up, while the batch is still being decoded and stored:
 * given back then, a client posting and hanging up started work past every in-flight limit.
 */
final class AdmittedRequest {

  private final AtomicInteger holders = new AtomicInteger(1);
  private final Runnable release;

  /** Held by the answer until {@link #done()}. */
  AdmittedRequest(Runnable release) {
    this.release = release;
  }

  /**
   * Holds for work about to start; false when everything was given back already (the client hung
   * up before the body was handled), and the work should not start.
   */
  boolean hold() {
    return holders.getAndUpdate(n -> n == 0 ? 0 : n + 1) > 0;
  }

  /** One holder is done: the answer has ended, or the work has finished. */
  void done() {
    if (holders.decrementAndGet() == 0) {
      release.run();
    }
  }
}
