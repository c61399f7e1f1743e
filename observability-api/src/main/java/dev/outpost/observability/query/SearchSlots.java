package dev.outpost.observability.query;

import dev.outpost.observability.config.ObservabilityConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;

/**
 * Searches running at once, per caller (the token's subject) and in all. Each runs on a worker
 * thread for up to {@code query.time-budget} and decodes blocks outside {@code query.memory-bytes};
 * unbounded, one caller's script of parallel searches took every thread and core from the console's
 * other users. One more is answered 429 with {@code Retry-After}, as a live tail past its bounds.
 */
@ApplicationScoped
public class SearchSlots {

  /** A search's place; closing it gives the place back, once. */
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  private final int perCaller;
  private final int inAll;
  private final Map<String, Integer> byCaller = new HashMap<>();
  private int running;

  @Inject
  SearchSlots(ObservabilityConfig config) {
    this(config.query().maxSearchesPerCaller(), config.query().maxSearches());
  }

  SearchSlots(int perCaller, int inAll) {
    this.perCaller = perCaller;
    this.inAll = inAll;
  }

  /** A place for one more search by {@code caller}, or a 429 naming the bound it is past. */
  public synchronized Slot take(String caller) {
    if (byCaller.getOrDefault(caller, 0) >= perCaller) {
      throw ApiException.tooMany("too_many_searches", "at most " + perCaller
          + " searches per caller at once (query.max-searches-per-caller); wait for one to end");
    }
    if (running >= inAll) {
      throw ApiException.tooMany("too_many_searches", "at most " + inAll
          + " searches at once (query.max-searches); retry in a moment");
    }
    byCaller.merge(caller, 1, Integer::sum);
    running++;
    return new Slot() {
      private boolean closed;

      @Override
      public void close() {
        synchronized (SearchSlots.this) {
          if (!closed) {
            closed = true;
            running--;
            // an entry per caller only while it searches: subjects come and go with their tokens
            byCaller.computeIfPresent(caller, (c, n) -> n == 1 ? null : n - 1);
          }
        }
      }
    };
  }

  /** Searches running now. */
  public synchronized int running() {
    return running;
  }
}
