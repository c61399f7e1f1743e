package dev.outpost.observability.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the ingest of a batch whose record says {@link #MARKER} inside its worker task (observers of
 * {@link LogsIngested} run there, before the answer), until {@link #release}: a request whose work
 * runs on. Batches without the marker pass.
 */
@ApplicationScoped
public class HeldIngest {

  public static final String MARKER = "hold-this-ingest";

  private volatile CountDownLatch entered = new CountDownLatch(1);
  private volatile CountDownLatch released = new CountDownLatch(1);

  void onIngested(@Observes LogsIngested event) throws InterruptedException {
    if (event.records().stream().anyMatch(r -> r.body() != null && r.body().contains(MARKER))) {
      entered.countDown();
      released.await(30, TimeUnit.SECONDS);
    }
  }

  /** Whether a held batch is in its worker task, waiting. */
  public boolean holding() {
    return entered.getCount() == 0 && released.getCount() > 0;
  }

  public void release() {
    released.countDown();
  }

  /** Ready for the next held batch. */
  public void reset() {
    entered = new CountDownLatch(1);
    released = new CountDownLatch(1);
  }
}
