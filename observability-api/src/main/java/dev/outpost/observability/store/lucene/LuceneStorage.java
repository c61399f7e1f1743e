package dev.outpost.observability.store.lucene;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.config.ByteSize;
import dev.outpost.observability.config.ConfigCheck;
import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.retention.RetentionPolicy;
import dev.outpost.observability.store.DirectorySize;
import dev.outpost.observability.store.DiskRoom;
import dev.outpost.observability.store.LogStore;
import dev.outpost.observability.store.TraceStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Opens the log and trace stores under the data directory and runs their upkeep: searcher
 * refresh (new records visible within the refresh interval) and retention by whole days, by age
 * and, with {@code storage.retention-size}, by size. Retention runs on a thread of its own: its file
 * walks and deletions kept refreshes waiting.
 */
@Startup
@ApplicationScoped
public class LuceneStorage {

  private static final Logger LOG = Logger.getLogger(LuceneStorage.class);

  @Inject ObservabilityConfig config;
  @Inject MeterRegistry meters;
  @Inject RetentionPolicy retention;
  @Inject DiskRoom room;

  /** How often the stored bytes are measured for their gauge, besides after each retention pass. */
  static final Duration MEASURE_INTERVAL = Duration.ofMinutes(1);

  private LuceneLogStore logs;
  private LuceneTraceStore traces;
  private ScheduledExecutorService upkeep;
  private ScheduledExecutorService retentionRuns;
  /** Null without {@code storage.retention-size}. */
  private SizeRetention bySize;
  private final AtomicBoolean sizePassPending = new AtomicBoolean();
  private volatile long logBytes;
  private volatile long traceBytes;
  private volatile long dataBytes;
  private Timer refreshes;
  private final Clock clock = Clock.systemUTC();

  @PostConstruct
  void open() throws IOException {
    QueryLimits limits = new QueryLimits(config.query().maxClauses(), config.query().timeBudget().toMillis(),
        config.query().maxTraceSpans(), config.query().maxPageBytes());
    ObjectMapper json = storedRecordMapper();
    int ram = config.storage().ramBufferMb();
    // log blocks (LogBlocks) live apart from the one-document-per-record indexes of earlier builds
    logs = new LuceneLogStore(config.dataDir().resolve("log-blocks"), ram, limits);
    if (java.nio.file.Files.isDirectory(config.dataDir().resolve("logs"))) {
      LOG.warnf("%s holds logs in the layout of an earlier build; they are not read. Delete it once they are not"
          + " needed (retention would have removed them within %s)", config.dataDir().resolve("logs"),
          config.storage().retention());
    }
    traces = new LuceneTraceStore(config.dataDir().resolve("spans"), ram, limits, json);
    upkeep = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "storage-upkeep");
      t.setDaemon(true);
      return t;
    });
    refreshes = Timer.builder("outpost.search.refresh")
        .description("Reopening searchers to see new records; a record waits up to the interval plus two of these")
        .publishPercentileHistogram().register(meters);
    long refresh = config.storage().refreshInterval().toMillis();
    // at a fixed rate, so a slow refresh (a large flush under full ingest) is followed by the next
    // at once instead of after another interval
    upkeep.scheduleAtFixedRate(this::timedRefresh, refresh, refresh, TimeUnit.MILLISECONDS);
    Optional<Long> sizeLimit = config.storage().retentionSize()
        .map(text -> ByteSize.parse(ConfigCheck.RETENTION_SIZE, text));
    bySize = sizeLimit.map(limit -> new SizeRetention(limit, room,
        List.of(logs.partitions(), traces.partitions()))).orElse(null);
    registerGauges(sizeLimit);
    retentionRuns = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "storage-retention");
      t.setDaemon(true);
      return t;
    });
    long retention = config.storage().retentionInterval().toMillis();
    retentionRuns.scheduleWithFixedDelay(this::applyRetention, 0, retention, TimeUnit.MILLISECONDS);
    long measure = MEASURE_INTERVAL.toMillis();
    retentionRuns.scheduleWithFixedDelay(this::measureStoredBytes, measure, measure, TimeUnit.MILLISECONDS);
  }

  /** What operators alert on: the bytes stored against the size retention keeps them within. */
  private void registerGauges(Optional<Long> sizeLimit) {
    Gauge.builder("outpost.storage.bytes", this, storage -> storage.logBytes).tag("signal", "logs")
        .description("Bytes the stored days of logs take on disk, measured every minute and after retention")
        .register(meters);
    Gauge.builder("outpost.storage.bytes", this, storage -> storage.traceBytes).tag("signal", "traces")
        .description("Bytes the stored days of traces take on disk, measured every minute and after retention")
        .register(meters);
    Gauge.builder("outpost.storage.data.bytes", this, storage -> storage.dataBytes)
        .description("Bytes the data directory takes on disk (days, journal and the rest): what"
            + " storage.retention-size bounds; measured every minute and after retention")
        .register(meters);
    Gauge.builder("outpost.storage.unreadable.days", this, storage -> storage.logs.unreadableDayCount())
        .tag("signal", "logs")
        .description("Days of logs that searches leave out because their index is damaged (their files failed"
            + " their checksums, or the index could not be opened and was moved aside); the answers covering them name"
            + " them in unreadableDays")
        .register(meters);
    Gauge.builder("outpost.storage.unreadable.days", this, storage -> storage.traces.unreadableDayCount())
        .tag("signal", "traces")
        .description("Days of traces that searches leave out because their index is damaged (their files failed"
            + " their checksums, or the index could not be opened and was moved aside); the answers covering them name"
            + " them in unreadableDays")
        .register(meters);
    sizeLimit.ifPresent(limit -> Gauge.builder("outpost.storage.retention.size.bytes", () -> limit)
        .description("storage.retention-size: past it, counted over the whole data directory, the oldest days are"
            + " deleted").register(meters));
  }

  /**
   * Writes and reads the records kept in the indexes. Reading back must accept whatever was
   * written: Jackson's default read limits (names of 50,000 characters, strings of 20 million)
   * are below what one OTLP request may carry, and a stored record past them would fail every
   * query that returns it. Its size is bounded at ingest by the request size limit. A property it
   * does not know is one a later version wrote: after a rollback, the records stored since the
   * upgrade failed every query that returned them with a 500 (spans gained {@code links} so).
   */
  static ObjectMapper storedRecordMapper() {
    return new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNameLength(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).build())
        .build())
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  @Produces
  @Singleton
  LogStore logStore() {
    return logs;
  }

  @Produces
  @Singleton
  TraceStore traceStore() {
    return traces;
  }

  private void timedRefresh() {
    refreshes.record(this::refresh);
  }

  /** The daily partitions, of logs and traces, whose writer failed for good, and why. */
  public List<String> failedPartitions() {
    List<String> failed = new ArrayList<>(logs.failedPartitions());
    failed.addAll(traces.failedPartitions());
    return failed;
  }

  /** Reopens searchers now (tests and the checkpoint use it; the schedule does it anyway). */
  public void refresh() {
    // each store apart: logs failing to refresh must not leave traces unsearchable
    try {
      logs.refresh();
    } catch (IOException | RuntimeException e) {
      LOG.error("log searcher refresh failed", e);
    }
    try {
      traces.refresh();
    } catch (IOException | RuntimeException e) {
      LOG.error("trace searcher refresh failed", e);
    }
  }

  /**
   * Deletes the daily partitions that lie wholly before the retention period of their kind (none
   * while retention is {@linkplain RetentionPolicy#held() held}), then, with {@code
   * storage.retention-size}, the oldest days while the stored ones take more than it.
   */
  public synchronized void applyRetention() {
    if (!retention.held()) { // else said at start (RetentionPolicy)
      applyTimeRetention();
    }
    applySizeRetention("at the retention pass");
  }

  /**
   * Has {@code storage.retention-size} checked now, on the retention thread: ingest refuses for a
   * nearly full disk, which deleting the oldest days may free before a day ages out. Asked again
   * while ingest refuses, so at most one such pass waits at a time.
   */
  public void applySizeRetentionSoon() {
    if (bySize == null || !sizePassPending.compareAndSet(false, true)) {
      return;
    }
    try {
      retentionRuns.execute(() -> {
        sizePassPending.set(false);
        applySizeRetention("as ingest refuses for a nearly full disk");
      });
    } catch (RejectedExecutionException stopping) {
      sizePassPending.set(false); // the store is closing
    }
  }

  private synchronized void applySizeRetention(String why) {
    if (bySize != null) {
      try {
        bySize.apply(LocalDate.now(clock.withZone(ZoneOffset.UTC)), why);
      } catch (IOException | RuntimeException e) {
        LOG.error("retention by size failed", e);
      }
    }
    measureStoredBytes();
  }

  private void measureStoredBytes() {
    try {
      logBytes = total(logs.partitions().dayBytes());
      traceBytes = total(traces.partitions().dayBytes());
      dataBytes = DirectorySize.of(config.dataDir());
    } catch (IOException | RuntimeException e) {
      LOG.debugf("the stored bytes cannot be measured now (%s); the gauges keep the last measure", e.getMessage());
    }
  }

  private static long total(Map<LocalDate, Long> dayBytes) {
    return dayBytes.values().stream().mapToLong(Long::longValue).sum();
  }

  private void applyTimeRetention() {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    LocalDate firstLogs = today.minusDays(retention.logs().toDays());
    LocalDate firstTraces = today.minusDays(retention.traces().toDays());
    try {
      int dropped = logs.dropBefore(firstLogs);
      dropped += traces.dropBefore(firstTraces);
      if (dropped > 0) {
        LOG.infof("retention: %d partitions deleted (logs before %s, traces before %s)", dropped, firstLogs,
            firstTraces);
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("retention failed", e);
    }
  }

  @PreDestroy
  void close() throws IOException, InterruptedException {
    // a refresh in progress is let finish: an interrupt inside a Lucene write closes the writer
    // for good, and the commit on close would be lost
    upkeep.shutdown();
    retentionRuns.shutdown();
    if (!upkeep.awaitTermination(30, TimeUnit.SECONDS)) {
      LOG.warn("a searcher refresh still runs after 30 s; closing the stores anyway");
    }
    if (!retentionRuns.awaitTermination(30, TimeUnit.SECONDS)) {
      LOG.warn("retention still runs after 30 s; closing the stores anyway");
    }
    logs.close();
    traces.close();
  }
}
