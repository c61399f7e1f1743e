package dev.outpost.observability.query;

import dev.outpost.observability.ingest.LogsIngested;
import dev.outpost.observability.store.AnswerMemory;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.RecordSize;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Pushes stored log records to live-tail subscribers as they arrive, each through its own filter.
 * Filtering runs on one thread of its own, not on the ingest request's: readers' filters must not
 * delay acknowledgements, and one thread keeps each subscriber's records in ingest order.
 *
 * <p>What waits is bounded by its text, not only its count: the batches waiting to be filtered
 * ({@link #MAX_BACKLOG_CHARS}), and each subscriber's records not yet written to its connection,
 * held in the memory that all answers share ({@link QueryMemory}) and at most {@link
 * #MAX_PENDING_CHARS}. 10,000 buffered records of 50 KB stack traces were 500 MB for one reader on
 * a slow network. A stream past its bound ends with an error: a live view that silently skips
 * records would mislead. Only records of projects some tail reads are queued, so ingest into the
 * others costs the tail nothing and cannot end it; each project's records wait within half the
 * backlog ({@link #MAX_PROJECT_BACKLOG_CHARS}), so when the filtering falls behind one project's
 * records, that project's tails end and the others' still have room.
 */
@ApplicationScoped
public class TailHub {

  private static final Logger LOG = Logger.getLogger(TailHub.class);
  /** Records buffered for a slow subscriber before its stream ends with an error. */
  private static final int BUFFER = 10_000;
  /** Ingested batches waiting to be filtered before the tail counts as fallen behind. */
  private static final int BACKLOG = 1_000;
  /** Text of the batches waiting to be filtered before the tail counts as fallen behind. */
  static final long MAX_BACKLOG_CHARS = 64L << 20;
  /**
   * One project's share of the waiting batches and their text: past it that project's tails have
   * fallen behind, and the other projects' batches still have room.
   */
  static final int PROJECT_BACKLOG = BACKLOG / 2;
  static final long MAX_PROJECT_BACKLOG_CHARS = MAX_BACKLOG_CHARS / 2;
  /** Text of one subscriber's records not yet written before its stream ends. */
  static final long MAX_PENDING_CHARS = 16L << 20;

  /** A record on its way to one subscriber, with its text counted until it is written; none for a keep-alive. */
  private record Pending(Views.LogView view, long chars) {}

  private static final Pending KEEP_ALIVE = new Pending(null, 0);

  /**
   * Why a live tail ended before its token did: its stream's last event tells the reader, unless the
   * reader is what fell behind ({@code told} false): a connection that takes no more writes would hold
   * that event, and the connection, for good, so it is closed instead.
   */
  static final class TailEnded extends RuntimeException {
    private final String error;
    private final boolean told;

    TailEnded(String error, String message, boolean told) {
      super(message, null, false, false);
      this.error = error;
      this.told = told;
    }

    String error() {
      return error;
    }

    boolean told() {
      return told;
    }
  }

  /**
   * One open tail. Its emitter is called from the filtering thread, the expiry thread and ingest
   * threads; Mutiny hands the consumer a serialized emitter, so their signals never overlap.
   */
  private record Subscriber(Set<String> projects, Predicate<LogEntry> filter, MultiEmitter<? super Pending> emitter,
      AtomicLong pending, AnswerMemory memory) {}

  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final ExecutorService filtering = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(BACKLOG), r -> {
        Thread t = new Thread(r, "live-tail");
        t.setDaemon(true);
        return t;
      });

  private final AtomicLong backlogChars = new AtomicLong();
  /** Each project's batches and text waiting to be filtered. */
  private final Map<String, Backlog> backlogByProject = new ConcurrentHashMap<>();

  /** What one project has waiting to be filtered. */
  private static final class Backlog {
    int batches;
    long chars;
  }
  /**
   * Ends each stream when its caller's token expires, and keeps quiet ones alive. A stream that ends
   * first takes its timers out: left queued until due, each held its stream, and the request behind
   * it, for as long as the token had to live, so opening and closing tails filled the heap.
   */
  private final ScheduledThreadPoolExecutor endings = removingOnCancel(new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "live-tail-expiry");
    t.setDaemon(true);
    return t;
  }));

  private static ScheduledThreadPoolExecutor removingOnCancel(ScheduledThreadPoolExecutor executor) {
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** Timers of open streams waiting to run (each open stream has two). */
  int scheduledTimers() {
    return endings.getQueue().size();
  }
  /** Open tails by caller and by project, to bound them per caller, per project and in all. */
  private final Map<String, Integer> open = new HashMap<>();
  private final Map<String, Integer> openByProject = new HashMap<>();
  private int openInAll;
  /** The projects some tail reads now: only their records are queued for filtering. */
  private volatile Set<String> tailedProjects = Set.of();

  /**
   * Counts one more tail for {@code caller} over {@code projects}, or refuses it (429) past {@code
   * limits}; the returned action gives the places back, once. Per project too: by caller alone, a
   * few users of one project could take every place and leave the other projects none.
   */
  synchronized Runnable reserve(String caller, Set<String> projects, TailLimits limits) {
    if (open.getOrDefault(caller, 0) >= limits.perCaller()) {
      throw new ApiException(429, "too_many_tails",
          "at most " + limits.perCaller() + " live tails per caller at once; close one first");
    }
    for (String project : projects) {
      if (openByProject.getOrDefault(project, 0) >= limits.perProject()) {
        throw new ApiException(429, "too_many_tails", "at most " + limits.perProject()
            + " live tails per project at once, and project " + project + " has them; retry later");
      }
    }
    if (openInAll >= limits.inAll()) {
      throw new ApiException(429, "too_many_tails", "at most " + limits.inAll() + " live tails at once; retry later");
    }
    open.merge(caller, 1, Integer::sum);
    projects.forEach(project -> openByProject.merge(project, 1, Integer::sum));
    tailedProjects = Set.copyOf(openByProject.keySet());
    openInAll++;
    Set<String> held = Set.copyOf(projects);
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        release(caller, held);
      }
    };
  }

  /** The bounds on open tails. */
  record TailLimits(int perCaller, int perProject, int inAll) {}

  /** Tails {@code caller} holds open now. */
  public synchronized int openTails(String caller) {
    return open.getOrDefault(caller, 0);
  }

  private synchronized void release(String caller, Set<String> projects) {
    open.computeIfPresent(caller, (k, n) -> n == 1 ? null : n - 1);
    projects.forEach(project -> openByProject.computeIfPresent(project, (k, n) -> n == 1 ? null : n - 1));
    tailedProjects = Set.copyOf(openByProject.keySet());
    openInAll--;
  }

  /**
   * Records matching {@code filter} from now on, for {@code lifetime} (until the caller's token
   * expires), and an empty item every {@code keepAlive}; what waits for the reader is held in {@code
   * memory}, closed, and {@code onEnd} run, when the stream ends however it ends (the SSE response
   * replaces the request's end handlers).
   */
  Multi<Optional<Views.LogView>> subscribe(Set<String> projects, Predicate<LogEntry> filter, QueryMemory.Lease memory,
      Duration lifetime, Duration keepAlive, Runnable onEnd) {
    AtomicLong pending = new AtomicLong();
    return Multi.createFrom().<Pending>emitter(emitter -> {
      Subscriber s = new Subscriber(Set.copyOf(projects), filter, emitter, pending, memory);
      subscribers.add(s);
      ScheduledFuture<?> end = endings.schedule(emitter::complete, lifetime.toMillis(), TimeUnit.MILLISECONDS);
      // the first keep-alive at once: the response's headers go out before this subscription, so a
      // reader knows from its first bytes, not its headers, that records from now on reach it
      emitter.emit(KEEP_ALIVE);
      ScheduledFuture<?> alive = endings.scheduleAtFixedRate(() -> emitter.emit(KEEP_ALIVE), keepAlive.toMillis(),
          keepAlive.toMillis(), TimeUnit.MILLISECONDS);
      emitter.onTermination(() -> {
        end.cancel(false);
        alive.cancel(false);
        subscribers.remove(s);
        memory.close();
        onEnd.run();
      });
    }).onOverflow().buffer(BUFFER).onItem().transform(p -> {
      pending.addAndGet(-p.chars());
      memory.shrinkTo(pending::get);
      return Optional.ofNullable(p.view());
    });
  }

  /** Subscribers now connected (tests wait for theirs before ingesting). */
  public int subscriberCount() {
    return subscribers.size();
  }

  void onIngested(@Observes LogsIngested event) {
    if (subscribers.isEmpty()) {
      return;
    }
    // records of projects nobody tails never wait: a flood in one project ended every project's tails
    Set<String> tailed = tailedProjects;
    Map<String, List<LogEntry>> byProject = event.records().stream().filter(r -> tailed.contains(r.owner().project()))
        .collect(Collectors.groupingBy(r -> r.owner().project(), LinkedHashMap::new, Collectors.toList()));
    // each project's records wait apart, within its share: one project's flood fills its own
    byProject.forEach(this::enqueue);
  }

  private void enqueue(String project, List<LogEntry> records) {
    long chars = 0;
    for (LogEntry record : records) {
      chars += RecordSize.of(record);
    }
    long batch = chars;
    if (!reserve(project, batch)) {
      fellBehind(project);
      return;
    }
    try {
      if (backlogChars.addAndGet(batch) > MAX_BACKLOG_CHARS) {
        throw new RejectedExecutionException("backlog text");
      }
      filtering.execute(() -> {
        try {
          deliver(records);
        } finally {
          backlogChars.addAndGet(-batch);
          release(project, batch);
        }
      });
    } catch (RejectedExecutionException behind) {
      backlogChars.addAndGet(-batch);
      release(project, batch);
      fellBehind(project);
    }
  }

  /** Counts a batch against its project's share; false when it would pass it. */
  private boolean reserve(String project, long chars) {
    boolean[] fits = {false};
    backlogByProject.compute(project, (p, b) -> {
      Backlog backlog = b == null ? new Backlog() : b;
      // a batch larger than the share alone is taken when none waits: it could never fit otherwise
      if (backlog.batches == 0 || backlog.batches < PROJECT_BACKLOG && backlog.chars + chars <= MAX_PROJECT_BACKLOG_CHARS) {
        backlog.batches++;
        backlog.chars += chars;
        fits[0] = true;
      }
      return backlog.batches == 0 ? null : backlog;
    });
    return fits[0];
  }

  private void release(String project, long chars) {
    backlogByProject.computeIfPresent(project, (p, backlog) -> {
      backlog.batches--;
      backlog.chars -= chars;
      return backlog.batches == 0 ? null : backlog;
    });
  }

  /**
   * Ends the streams that would miss a dropped batch of {@code project}: a live view that silently
   * skips records would mislead. Tails of other projects lose nothing by it and go on.
   */
  private void fellBehind(String project) {
    List<Subscriber> missing = subscribers.stream().filter(s -> s.projects().contains(project)).toList();
    LOG.warnf("live tail fell behind ingest (more than its share of %d batches or %d MiB waiting for a project);"
        + " ending %d streams", BACKLOG, MAX_BACKLOG_CHARS >> 20, missing.size());
    for (Subscriber s : missing) {
      s.emitter().fail(new TailEnded("fell_behind", "the live tail fell behind ingest; reconnect", true));
    }
  }

  private void deliver(List<LogEntry> records) {
    for (Subscriber s : subscribers) {
      try {
        for (LogEntry record : records) {
          if (s.filter().test(record) && !send(s, record)) {
            break;
          }
        }
      } catch (RuntimeException | Error e) {
        // an Error too (Lucene's AssertionError, a StackOverflowError): let out, it ended the filtering
        // task, the tails after this one missed the batch, and this one stayed open
        LOG.log(e instanceof Error ? Logger.Level.ERROR : Logger.Level.WARN,
            "a live-tail filter failed; ending that stream", e);
        s.emitter().fail(e);
      }
    }
  }

  /** Queues the record for the subscriber, or ends its stream when its reader is too far behind. */
  private static boolean send(Subscriber s, LogEntry record) {
    long chars = RecordSize.of(record);
    long waiting = s.pending().addAndGet(chars);
    if (waiting > MAX_PENDING_CHARS || waiting > s.memory().grant(waiting)) {
      s.pending().addAndGet(-chars);
      LOG.debugf("a live-tail reader fell %d characters behind; ending its stream", waiting);
      s.emitter().fail(new TailEnded("reader_behind", "the live tail's reader fell behind; reconnect", false));
      return false;
    }
    s.emitter().emit(new Pending(Views.LogView.of(record), chars));
    return true;
  }

  @PreDestroy
  void stop() {
    endings.shutdownNow();
    filtering.shutdownNow();
  }
}
