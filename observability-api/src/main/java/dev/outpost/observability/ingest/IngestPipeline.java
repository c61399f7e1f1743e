package dev.outpost.observability.ingest;

import com.google.protobuf.DiscardUnknownFieldsParser;
import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.retention.RetentionPolicy;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.LogStore;
import dev.outpost.observability.store.PreparedWrite;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.TraceStore;
import dev.outpost.observability.store.wal.Frame;
import dev.outpost.observability.store.wal.Journal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongFunction;
import org.jboss.logging.Logger;

/**
 * The write path: journal (durable, group-committed) → stores → live tail. A request is
 * acknowledged only after its journal frame is fsynced. A checkpoint commits the stores and drops
 * the journal segments they now hold; at start, segments left by a crash are replayed
 * idempotently (their seq ranges are forgotten first).
 */
@Startup
@ApplicationScoped
public class IngestPipeline {

  private static final Logger LOG = Logger.getLogger(IngestPipeline.class);
  /** A segment this large triggers a checkpoint before the interval is up. */
  private static final long CHECKPOINT_BYTES = 256L * 1024 * 1024;

  @Inject ObservabilityConfig config;
  @Inject RetentionPolicy retention;
  @Inject LogStore logs;
  @Inject TraceStore traces;
  @Inject Event<LogsIngested> logsIngested;

  private Journal journal;
  // appends hold the read lock until their records are in the stores; a rotation takes the write
  // lock, so every frame of a closed segment is in the stores before they commit
  private final ReadWriteLock checkpointGate = new ReentrantReadWriteLock();
  private final AtomicBoolean checkpointPending = new AtomicBoolean();
  private ScheduledExecutorService checkpoints;
  // the threads that index (see storage.index-threads); each takes batches from one queue in turn
  private ExecutorService indexers;

  /** What one request left after storing: how many records were refused and why. */
  public record Outcome(long rejected, String rejectionMessage) {}

  @PostConstruct
  void start() throws IOException {
    int threads = config.storage().indexThreads();
    AtomicInteger indexerNumber = new AtomicInteger();
    indexers = Executors.newFixedThreadPool(
        threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2), r -> {
          Thread t = new Thread(r, "indexer-" + indexerNumber.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    journal = Journal.open(Journal.directoryIn(config.dataDir()));
    replay();
    checkpoints = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "journal-checkpoint");
      t.setDaemon(true);
      return t;
    });
    long every = config.storage().checkpointInterval().toMillis();
    checkpoints.scheduleWithFixedDelay(this::checkpointQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  /** Stores a request; {@code payload} is its protobuf encoding, what the journal keeps. */
  public Outcome logs(ExportLogsServiceRequest request, byte[] payload, IngestBinding binding, long receivedAtMillis) {
    Mapped<LogEntry> mapped = LogMapper.map(request, binding, receivedAtMillis,
        window(receivedAtMillis, retention.logs()));
    List<LogEntry> stored = store(Frame.Kind.LOGS, mapped, binding, receivedAtMillis, payload,
        first -> {
          List<LogEntry> shifted = shift(mapped.accepted(), first, LogEntry::seq, LogEntry::withSeq);
          return new Prepared<>(shifted, logs.prepare(shifted));
        });
    if (!stored.isEmpty()) {
      logsIngested.fire(new LogsIngested(stored));
    }
    return new Outcome(mapped.rejected(), mapped.rejectionMessage());
  }

  /** Stores a request; {@code payload} is its protobuf encoding, what the journal keeps. */
  public Outcome traces(ExportTraceServiceRequest request, byte[] payload, IngestBinding binding,
      long receivedAtMillis) {
    Mapped<SpanEntry> mapped = SpanMapper.map(request, binding, window(receivedAtMillis, retention.traces()));
    store(Frame.Kind.TRACES, mapped, binding, receivedAtMillis, payload, first -> {
      List<SpanEntry> shifted = shift(mapped.accepted(), first, SpanEntry::seq, SpanEntry::withSeq);
      return new Prepared<>(shifted, traces.prepare(shifted));
    });
    return new Outcome(mapped.rejected(), mapped.rejectionMessage());
  }

  /** A batch's records at their seqs, and what indexes them once they are durable. */
  private record Prepared<T>(List<T> records, PreparedWrite write) {}

  private <T> List<T> store(Frame.Kind kind, Mapped<?> mapped, IngestBinding binding, long receivedAtMillis,
      byte[] payload, LongFunction<Prepared<T>> prepareAt) {
    if (mapped.accepted().isEmpty()) {
      return List.of();
    }
    Prepared<T> prepared;
    checkpointGate.readLock().lock();
    try {
      Journal.Appended appended = journal.append(kind, mapped.requestSize(), receivedAtMillis, binding.project(),
          binding.integration(), payload);
      // made ready while the journal syncs, so that the indexers only index
      prepared = prepareAt.apply(appended.firstSeq());
      appended.durable().get(30, TimeUnit.SECONDS);
      // handed to an indexer rather than indexed here under a permit: a permit passed from one
      // request thread to the next waited each time for the next to be scheduled, and with the
      // machine busy the one indexer sat idle a third of the time
      indexers.submit(prepared.write()::write).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IngestException(503, "interrupted before the batch was stored", "1");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.error("the batch could not be journaled or indexed", e);
      throw new IngestException(503, "the batch could not be made durable; retry", "5");
    } finally {
      checkpointGate.readLock().unlock();
    }
    if (journal.activeSize() > CHECKPOINT_BYTES && checkpointPending.compareAndSet(false, true)) {
      try {
        checkpoints.execute(this::checkpointQuietly);
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        // stopping: the stop's own checkpoint follows, and this batch is durable, so it is answered 2xx
        checkpointPending.set(false);
      }
    }
    return prepared.records();
  }

  private static <T> List<T> shift(List<T> records, long first, java.util.function.ToLongFunction<T> seq,
      java.util.function.BiFunction<T, Long, T> withSeq) {
    List<T> shifted = new ArrayList<>(records.size());
    for (T r : records) {
      shifted.add(withSeq.apply(r, first + seq.applyAsLong(r)));
    }
    return shifted;
  }

  private static AcceptWindow window(long receivedAtMillis, java.time.Duration retention) {
    return AcceptWindow.at(receivedAtMillis, retention);
  }

  /** Commits the stores and drops the journal they now cover. */
  public void checkpoint() throws IOException {
    long closed;
    checkpointGate.writeLock().lock();
    try {
      closed = journal.rotate();
    } finally {
      checkpointGate.writeLock().unlock();
    }
    logs.commit();
    traces.commit();
    journal.deleteUpTo(closed);
  }

  private void checkpointQuietly() {
    try {
      checkpoint();
    } catch (IOException | RuntimeException e) {
      LOG.error("checkpoint failed; the journal keeps the records", e);
    } finally {
      checkpointPending.set(false);
    }
  }

  private void replay() throws IOException {
    List<Long> segments = journal.closedSegments();
    if (segments.isEmpty()) {
      return;
    }
    long[] records = {0};
    List<Long> partlyRead = new ArrayList<>();
    for (long segment : segments) {
      long from = Journal.firstSeqOf(segment);
      long to = Journal.firstSeqOf(segment + 1);
      logs.forget(from, to);
      traces.forget(from, to);
      if (journal.replay(segment, frame -> records[0] += replayFrame(frame)) > 0) {
        partlyRead.add(segment);
      }
    }
    logs.commit();
    traces.commit();
    // the only copy of what the replay could not read (acknowledged records a hand may mend, or a
    // newer build read): not deleted
    for (long segment : partlyRead) {
      journal.keepAside(segment);
    }
    journal.deleteUpTo(segments.get(segments.size() - 1));
    LOG.infof("journal replay: %d records from %d segments", records[0], segments.size());
  }

  private int replayFrame(Frame frame) {
    IngestBinding binding = new IngestBinding(frame.boundProject(), frame.boundIntegration());
    try {
      if (frame.kind() == Frame.Kind.LOGS) {
        AcceptWindow window = AcceptWindow.forReplay(frame.receivedAtMillis(), System.currentTimeMillis(), retention.logs());
        // the journal keeps bodies as received: fields the schema does not know are dropped here too
        ExportLogsServiceRequest request = DiscardUnknownFieldsParser.wrap(ExportLogsServiceRequest.parser())
            .parseFrom(frame.payload());
        Mapped<LogEntry> mapped = LogMapper.map(request, binding, frame.receivedAtMillis(), window);
        logs.write(shift(mapped.accepted(), frame.firstSeq(), LogEntry::seq, LogEntry::withSeq));
        return mapped.accepted().size();
      }
      ExportTraceServiceRequest request = DiscardUnknownFieldsParser.wrap(ExportTraceServiceRequest.parser())
          .parseFrom(frame.payload());
      Mapped<SpanEntry> mapped = SpanMapper.map(request, binding,
          AcceptWindow.forReplay(frame.receivedAtMillis(), System.currentTimeMillis(), retention.traces()));
      traces.write(shift(mapped.accepted(), frame.firstSeq(), SpanEntry::seq, SpanEntry::withSeq));
      return mapped.accepted().size();
    } catch (IOException e) {
      LOG.errorf("journal frame at seq %d is unreadable: %s", frame.firstSeq(), e.getMessage());
      return 0;
    }
  }

  /**
   * The final checkpoint, on {@link ShutdownEvent}: before any bean is destroyed, so the stores are
   * still open, and after the receiver stopped taking requests (its observer has the default
   * priority). The checkpoint thread is let finish, not interrupted: an interrupt inside a Lucene
   * write closes the writer for good, and the next start would replay the whole journal.
   */
  void stop(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) ShutdownEvent event) {
    checkpoints.shutdown();
    try {
      if (!checkpoints.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("a checkpoint still runs after 30 s; stopping without the final one");
        return;
      }
      checkpoint();
      journal.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      // the stores commit when they close; what they miss is replayed from the journal at start
      LOG.warn("final checkpoint skipped: " + e.getMessage());
    } finally {
      indexers.shutdown();
    }
  }
}
