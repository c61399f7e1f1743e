package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.LogStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A search over every day of the logs that lasts until closed, as a long query does: retention cannot
 * delete a day meanwhile ({@link PartitionSet#dropBefore} gives up after its wait).
 */
public final class BusySearch implements AutoCloseable {

  private final CountDownLatch release = new CountDownLatch(1);
  private final CompletableFuture<Void> running;

  private BusySearch(PartitionSet days) throws InterruptedException {
    CountDownLatch searching = new CountDownLatch(1);
    running = CompletableFuture.runAsync(() -> {
      try {
        days.searchAll(searcher -> {
          searching.countDown();
          try {
            return release.await(2, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    if (!searching.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the search did not start");
    }
  }

  /** Starts a search over the logs of the application's store, returning once it runs. */
  public static BusySearch overLogs(LogStore logs) throws InterruptedException {
    return new BusySearch(((LuceneLogStore) logs).partitions());
  }

  @Override
  public void close() throws Exception {
    release.countDown();
    running.get(10, TimeUnit.SECONDS);
  }
}
