package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.store.DirectorySize;
import dev.outpost.observability.store.DiskRoom;
import dev.outpost.observability.store.FreeSpace;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.Owner;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.TimeRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention by size on Lucene stores on disk: the oldest days go, of logs and traces at once
 * (their days differ), until the rest fit; the current day and later ones never go.
 */
class SizeRetentionTest {

  private static final LocalDate TODAY = LocalDate.of(2026, 12, 7);
  private static final QueryLimits LIMITS = new QueryLimits(64, 5000, 100, 16 << 20);

  @TempDir Path dir;
  private LuceneLogStore logs;
  private LuceneTraceStore traces;
  /** ingest.min-free-disk-bytes of the test's volume. */
  private static final long MIN_FREE = 64L << 20;
  /** What the test's volume has free: plenty, unless a test has ingest refuse. */
  private final AtomicLong free = new AtomicLong(Long.MAX_VALUE / 4);
  /** The size of the test's volume: less than the sizes the tests set, unless a test says otherwise. */
  private final AtomicLong total = new AtomicLong(256L << 20);
  private final Random random = new Random(11);
  private long seq;

  @BeforeEach
  void open() throws Exception {
    logs = new LuceneLogStore(dir.resolve("log-blocks"), 16, LIMITS);
    traces = new LuceneTraceStore(dir.resolve("spans"), 16, LIMITS, new ObjectMapper());
  }

  @AfterEach
  void close() throws Exception {
    logs.close();
    traces.close();
  }

  @Test
  void theOldestDaysGoUntilTheRestFitLogsAndTracesTogether() throws Exception {
    for (int back = 4; back >= 0; back--) {
      storeLogs(TODAY.minusDays(back), 300);
    }
    for (int back = 5; back >= 2; back--) {
      storeSpans(TODAY.minusDays(back), 300);
    }
    logs.commit();
    traces.commit();
    // the newest three days fit, and half the one before them
    long limit = onDisk(TODAY) + onDisk(TODAY.minusDays(1)) + onDisk(TODAY.minusDays(2)) + onDisk(TODAY.minusDays(3)) / 2;

    List<LocalDate> deleted;
    try (InfoLines log = new InfoLines(SizeRetention.class)) {
      deleted = bySize(limit).apply(TODAY, "in a test");
      assertThat(log.lines).hasSize(3).allMatch(l -> l.contains("by size") && l.contains("storage.retention-size ("
          + limit + ")") && l.contains("checked in a test"));
      assertThat(log.lines.get(0)).startsWith("retention: deleted " + TODAY.minusDays(5));
    }

    assertThat(deleted).containsExactly(TODAY.minusDays(5), TODAY.minusDays(4), TODAY.minusDays(3));
    assertThat(days("log-blocks")).containsExactly(TODAY.minusDays(2).toString(), TODAY.minusDays(1).toString(),
        TODAY.toString());
    assertThat(days("spans")).containsExactly(TODAY.minusDays(2).toString());
    logs.refresh();
    LogSearch everything = new LogSearch(new ProjectScope(Set.of("p")), new TimeRange(
        PartitionSet.startOf(TODAY.minusDays(6)), PartitionSet.startOf(TODAY.plusDays(1))), "", Optional.empty(), 0,
        1000, Optional.empty());
    assertThat(logs.search(everything).records()).hasSize(900)
        .allMatch(e -> !PartitionSet.dayOf(e.timeNanos()).isBefore(TODAY.minusDays(2)));
  }

  @Test
  void theCurrentDayAndLaterOnesAreNeverDeleted() throws Exception {
    storeLogs(TODAY.minusDays(1), 50);
    storeLogs(TODAY, 50);
    storeLogs(TODAY.plusDays(1), 50); // a sender's clock ahead
    storeSpans(TODAY, 50);
    logs.commit();
    traces.commit();

    List<LocalDate> deleted = bySize(1).apply(TODAY,
        "in a test");

    assertThat(deleted).containsExactly(TODAY.minusDays(1));
    assertThat(days("log-blocks")).containsExactly(TODAY.toString(), TODAY.plusDays(1).toString());
    assertThat(days("spans")).containsExactly(TODAY.toString());
  }

  /**
   * The size counts the whole data directory, as the disk guard measures it and as Prometheus'
   * retention.size counts its WAL: at the largest size allowed, ingest refused while the days alone
   * were within it, and the pass asked for then deleted nothing.
   */
  @Test
  void theJournalAndTheRestOfTheDataDirectoryCountTowardsTheSize() throws Exception {
    storeLogs(TODAY.minusDays(1), 300);
    storeLogs(TODAY, 300);
    logs.commit();
    long days = onDisk(TODAY.minusDays(1)) + onDisk(TODAY);
    Files.createDirectories(dir.resolve("journal"));
    Files.write(dir.resolve("journal").resolve("segment-000000000007.wal"), new byte[64 << 10]);
    Files.write(dir.resolve("cursor-key"), new byte[32]);

    List<LocalDate> deleted = bySize(days + (32 << 10)).apply(TODAY, "in a test");

    assertThat(deleted).as("the days fit, not with the journal").containsExactly(TODAY.minusDays(1));
    assertThat(days("log-blocks")).containsExactly(TODAY.toString());
  }

  /**
   * Bytes no deletion of a day can free (a journal segment kept aside, an earlier build's logs that
   * the start only warns about) that alone take more than the size: each pass deleted every day
   * before the current one in vain, then said the current day was too large. None is deleted; a
   * WARN once a day says how much the rest takes, and what it is.
   */
  @Test
  void bytesOutsideTheDaysThatAlonePassTheSizeDeleteNoDay() throws Exception {
    storeTwoDaysAndSomeOfToday();
    Files.createDirectories(dir.resolve("journal"));
    Files.write(dir.resolve("journal").resolve("segment-000000000003.wal.damaged"), new byte[256 << 10]);
    Files.write(dir.resolve("journal").resolve("segment-000000000009.wal"), new byte[16 << 10]);
    Files.createDirectories(dir.resolve("logs").resolve("2026-01-01"));
    Files.write(dir.resolve("logs").resolve("2026-01-01").resolve("_0.cfs"), new byte[64 << 10]);
    long limit = 128 << 10;
    SizeRetention bySize = bySize(limit);

    try (dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(SizeRetention.class)) {
      assertThat(bySize.apply(TODAY, "in a test")).isEmpty();
      assertThat(bySize.apply(TODAY, "in a test")).isEmpty();
      assertThat(log.warnings()).as("said once a day").singleElement().satisfies(line -> assertThat(line)
          .contains("storage.retention-size (" + limit + ")").contains("journal " + (16 << 10))
          .contains("journal segments kept aside " + (256 << 10)).contains("other files " + (64 << 10))
          .contains("no day is deleted"));
    }
    assertThat(days("log-blocks")).containsExactly(TODAY.minusDays(2).toString(), TODAY.minusDays(1).toString(),
        TODAY.toString());
  }

  /**
   * A day whose directory could not be emptied (a permission, a file system error) left the map of
   * open days and was then counted as deleted at every pass: said at INFO, its bytes taken off,
   * while they were all still there (every 10 s while ingest refuses). It counts once its directory
   * is gone; what is left is tried again at each pass, the failure said once a day.
   */
  @Test
  void aDayWhoseDeletionFailsIsNotCountedAndIsTriedAgain() throws Exception {
    storeLogs(TODAY.minusDays(1), 300);
    storeSpans(TODAY.minusDays(1), 300);
    storeLogs(TODAY, 50);
    logs.commit();
    traces.commit();
    Path stuck = dir.resolve("spans").resolve(TODAY.minusDays(1).toString());
    SizeRetention bySize = bySize(1);

    try (dev.outpost.observability.support.Undeletable refusing =
            dev.outpost.observability.support.Undeletable.entriesOf(stuck);
        dev.outpost.spec.testing.LogLines failures = dev.outpost.spec.testing.LogLines.of(PartitionSet.class);
        InfoLines infos = new InfoLines(SizeRetention.class)) {
      assertThat(bySize.apply(TODAY, "in a test")).isEmpty();
      assertThat(bySize.apply(TODAY, "in a test")).as("nor at the next pass").isEmpty();
      assertThat(infos.lines).noneMatch(line -> line.startsWith("retention: deleted"));
      assertThat(failures.warnings()).as("said once a day").singleElement()
          .satisfies(line -> assertThat(line).contains(stuck.toString()));
    }
    // the file system lets go: the next pass deletes what was left
    assertThat(bySize.apply(TODAY, "in a test")).containsExactly(TODAY.minusDays(1));
    assertThat(days("spans")).isEmpty();
    assertThat(days("log-blocks")).containsExactly(TODAY.toString());
  }

  /**
   * A volume that holds less than the size (a claim not expanded when the size was raised, a restore
   * into a smaller one): ingest refused at min-free-disk-bytes with the data below the size, and the
   * passes asked for every 10 s deleted nothing until a day aged out. While ingest refuses, each pass
   * deletes the oldest day, one a pass, never the current one, and says once that the size is more
   * than the volume holds, with what it holds; once ingest takes records again, no day goes.
   */
  @Test
  void whileIngestRefusesBelowTheSizeEachPassDeletesTheOldestDay() throws Exception {
    for (int back = 3; back >= 0; back--) {
      storeLogs(TODAY.minusDays(back), 300);
    }
    storeSpans(TODAY.minusDays(2), 300);
    logs.commit();
    traces.commit();
    long limit = 1L << 30;
    SizeRetention bySize = bySize(limit);
    long stored = DirectorySize.of(dir);

    try (dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(SizeRetention.class)) {
      free.set(MIN_FREE - 1); // the guard refuses: the data directory may take 1 byte less than it does
      assertThat(bySize.apply(TODAY, "in a test")).as("one day a pass").containsExactly(TODAY.minusDays(3));
      free.set(MIN_FREE); // room again
      assertThat(bySize.apply(TODAY, "in a test")).as("ingest takes records: below the size, none").isEmpty();
      free.set(MIN_FREE - 1);
      assertThat(bySize.apply(TODAY, "in a test")).containsExactly(TODAY.minusDays(2));
      assertThat(bySize.apply(TODAY, "in a test")).containsExactly(TODAY.minusDays(1));
      assertThat(bySize.apply(TODAY, "in a test")).as("never the current day").isEmpty();
      assertThat(log.warnings()).as("said once, not at each pass").singleElement().satisfies(line -> assertThat(line)
          .contains("storage.retention-size (" + limit + ")").contains("can take " + (stored - 1) + " bytes")
          .contains("ingest.min-free-disk-bytes (" + MIN_FREE + ")"));
    }
    assertThat(days("log-blocks")).containsExactly(TODAY.toString());
    assertThat(days("spans")).isEmpty();
  }

  /**
   * A volume that could hold the size, whose room other files take (a node's disk behind an emptyDir,
   * a local-path claim shared with others): no day is deleted for them, and that is said once a day.
   */
  @Test
  void whileIngestRefusesOnAVolumeThatCouldHoldTheSizeNoDayIsDeleted() throws Exception {
    storeTwoDaysAndSomeOfToday();
    long limit = 1L << 30;
    total.set(limit + MIN_FREE);
    free.set(MIN_FREE - 1);
    SizeRetention bySize = bySize(limit);

    try (dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(SizeRetention.class)) {
      assertThat(bySize.apply(TODAY, "in a test")).isEmpty();
      assertThat(bySize.apply(TODAY, "in a test")).isEmpty();
      assertThat(log.warnings()).as("said once a day").singleElement().satisfies(line -> assertThat(line)
          .contains("other files take its room").contains("volume of " + (limit + MIN_FREE) + " bytes"));
    }
    assertThat(days("log-blocks")).containsExactly(TODAY.minusDays(2).toString(), TODAY.minusDays(1).toString(),
        TODAY.toString());

    total.set(limit + MIN_FREE - 1); // one byte short of holding the size: the volume is what is too small
    assertThat(bySize.apply(TODAY, "in a test")).containsExactly(TODAY.minusDays(2));
  }

  /** The other cause of a refusal, max-data-bytes (an emptyDir's limit), frees the oldest day alike. */
  @Test
  void whileIngestRefusesAtMaxDataBytesThePassDeletesTheOldestDay() throws Exception {
    storeTwoDaysAndSomeOfToday();
    long maxData = DirectorySize.of(dir) + MIN_FREE - 1;

    assertThat(bySize(1L << 30, Optional.of(maxData)).apply(TODAY, "in a test")).containsExactly(TODAY.minusDays(2));
    assertThat(days("log-blocks")).containsExactly(TODAY.minusDays(1).toString(), TODAY.toString());
  }

  /**
   * A day kept busy by a search is not passed over for a newer one while ingest refuses: the next pass
   * tries it again.
   */
  @Test
  void whileIngestRefusesABusyDayIsTriedAgainAtTheNextPass() throws Exception {
    storeTwoDaysAndSomeOfToday();
    logs.refresh();
    SizeRetention bySize = bySize(1L << 30);
    free.set(MIN_FREE - 1);

    try (BusySearch search = BusySearch.overLogs(logs)) {
      assertThat(bySize.apply(TODAY, "in a test")).isEmpty();
    }
    assertThat(bySize.apply(TODAY, "in a test")).containsExactly(TODAY.minusDays(2));
    assertThat(days("log-blocks")).containsExactly(TODAY.minusDays(1).toString(), TODAY.toString());
  }

  /**
   * While ingest refuses, bytes besides the days that alone take more than the volume leaves the data
   * directory (the journal while checkpoints fail): deleting every day would not let ingest take
   * records again, so none is deleted, and that is said with the bytes.
   */
  @Test
  void whileIngestRefusesBytesOutsideTheDaysThatAlonePassTheRoomDeleteNoDay() throws Exception {
    storeTwoDaysAndSomeOfToday();
    Files.createDirectories(dir.resolve("journal"));
    Files.write(dir.resolve("journal").resolve("segment-000000000009.wal"), new byte[256 << 10]);
    long days = onDisk(TODAY.minusDays(2)) + onDisk(TODAY.minusDays(1)) + onDisk(TODAY);
    SizeRetention bySize = bySize(1L << 30);
    free.set(MIN_FREE - days - 1); // the data directory may take 1 byte less than the journal and the rest

    try (dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(SizeRetention.class)) {
      assertThat(bySize.apply(TODAY, "in a test")).isEmpty();
      assertThat(bySize.apply(TODAY, "in a test")).isEmpty();
      assertThat(log.containing("no day is deleted")).as("said once a day").singleElement()
          .satisfies(line -> assertThat(line).contains("journal " + (256 << 10))
              .contains("ingest.min-free-disk-bytes"));
    }
    assertThat(days("log-blocks")).containsExactly(TODAY.minusDays(2).toString(), TODAY.minusDays(1).toString(),
        TODAY.toString());
  }

  private SizeRetention bySize(long limit) {
    return bySize(limit, Optional.empty());
  }

  /** Retention by size over this test's stores, on a volume whose free space {@link #free} says. */
  private SizeRetention bySize(long limit, Optional<Long> maxDataBytes) {
    FreeSpace volume = new FreeSpace() {
      @Override
      public long of(Path data) {
        return free.get();
      }

      @Override
      public long total(Path data) {
        return total.get();
      }
    };
    return new SizeRetention(limit, new DiskRoom(dir, MIN_FREE, maxDataBytes, volume),
        List.of(logs.partitions(), traces.partitions()));
  }

  /** Logs of the two days before the current one and a few of it, committed. */
  private void storeTwoDaysAndSomeOfToday() {
    storeLogs(TODAY.minusDays(2), 300);
    storeLogs(TODAY.minusDays(1), 300);
    storeLogs(TODAY, 50);
    logs.commit();
  }

  private void storeLogs(LocalDate day, int count) {
    List<LogEntry> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long time = PartitionSet.startOf(day) + i * 1_000_000_000L;
      records.add(new LogEntry(++seq, time, time, 9, "INFO", "record " + noise(), new Owner("svc", "p", "", "", ""),
          "", "", "", Map.of(), Map.of()));
    }
    logs.write(records);
  }

  private void storeSpans(LocalDate day, int count) {
    List<SpanEntry> spans = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long start = PartitionSet.startOf(day) + i * 1_000_000_000L;
      spans.add(new SpanEntry(++seq, String.format("%032x", seq), String.format("%016x", seq), "", "op " + noise(),
          "SERVER", start, start + 10, "UNSET", "", new Owner("svc", "p", "", "", ""), Map.of(), Map.of(), List.of(),
          List.of()));
    }
    traces.write(spans);
  }

  /** Words that compress little, so that each day takes some room. */
  private String noise() {
    StringBuilder text = new StringBuilder();
    for (int w = 0; w < 40; w++) {
      text.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36)).append(' ');
    }
    return text.toString();
  }

  /** The bytes a day of logs and of traces take on disk together. */
  private long onDisk(LocalDate day) throws Exception {
    long bytes = 0;
    for (String signal : List.of("log-blocks", "spans")) {
      Path days = dir.resolve(signal).resolve(day.toString());
      bytes += Files.isDirectory(days) ? DirectorySize.of(days) : 0;
    }
    return bytes;
  }

  private List<String> days(String signal) throws Exception {
    try (Stream<Path> listed = Files.list(dir.resolve(signal))) {
      return listed.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The INFO lines a class logs while open. */
  private static final class InfoLines extends Handler implements AutoCloseable {
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;

    InfoLines(Class<?> logging) {
      logger = Logger.getLogger(logging.getName());
      logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() == java.util.logging.Level.INFO.intValue()) {
        lines.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }
  }
}
