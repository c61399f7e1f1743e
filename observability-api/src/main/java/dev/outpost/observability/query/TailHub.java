package dev.outpost.observability.query;

import dev.outpost.observability.ingest.LogsIngested;
import dev.outpost.observability.store.LogEntry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Pushes stored log records to live-tail subscribers as they arrive, each through its own filter. */
@ApplicationScoped
public class TailHub {

  /** Records buffered for a slow subscriber before its stream ends with an error. */
  private static final int BUFFER = 10_000;

  private record Subscriber(Predicate<LogEntry> filter, MultiEmitter<? super Views.LogView> emitter) {}

  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

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
    for (Subscriber s : subscribers) {
      for (LogEntry record : event.records()) {
        if (s.filter().test(record)) {
          s.emitter().emit(Views.LogView.of(record));
        }
      }
    }
  }
}
