package dev.outpost.observability.query;

import dev.outpost.observability.ingest.LogsIngested;
import dev.outpost.observability.store.LogEntry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Pushes stored log records to live-tail subscribers as they arrive, each through its own filter.
 * Filtering runs on one thread of its own, not on the ingest request's: readers' filters must not
 * delay acknowledgements, and one thread keeps each subscriber's records in ingest order.
 */
@ApplicationScoped
public class TailHub {

  private static final Logger LOG = Logger.getLogger(TailHub.class);
  /** Records buffered for a slow subscriber before its stream ends with an error. */
  private static final int BUFFER = 10_000;
  /** Ingested batches waiting to be filtered before the tail counts as fallen behind. */
  private static final int BACKLOG = 1_000;

  private record Subscriber(Predicate<LogEntry> filter, MultiEmitter<? super Views.LogView> emitter) {}

  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final ExecutorService filtering = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(BACKLOG), r -> {
        Thread t = new Thread(r, "live-tail");
        t.setDaemon(true);
        return t;
      });

  Multi<Views.LogView> subscribe(Predicate<LogEntry> filter) {
    return Multi.createFrom().<Views.LogView>emitter(emitter -> {
      Subscriber s = new Subscriber(filter, emitter);
      subscribers.add(s);
      emitter.onTermination(() -> subscribers.remove(s));
    }).onOverflow().buffer(BUFFER);
  }

  /** Subscribers now connected (tests wait for theirs before ingesting). */
  public int subscriberCount() {
    return subscribers.size();
  }

  void onIngested(@Observes LogsIngested event) {
    if (subscribers.isEmpty()) {
      return;
    }
    try {
      filtering.execute(() -> deliver(event.records()));
    } catch (RejectedExecutionException behind) {
      // ending the streams says so; a live view that silently skips records would not
      LOG.warnf("live tail fell %d batches behind ingest; ending %d streams", BACKLOG, subscribers.size());
      for (Subscriber s : subscribers) {
        s.emitter().fail(new IllegalStateException("the live tail fell behind ingest; reconnect"));
      }
    }
  }

  private void deliver(List<LogEntry> records) {
    for (Subscriber s : subscribers) {
      try {
        for (LogEntry record : records) {
          if (s.filter().test(record)) {
            s.emitter().emit(Views.LogView.of(record));
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("a live-tail filter failed; ending that stream", e);
        s.emitter().fail(e);
      }
    }
  }

  @PreDestroy
  void stop() {
    filtering.shutdownNow();
  }
}
