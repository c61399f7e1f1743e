package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.Owner;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.TimeRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Daily partitions on disk: retention deletes whole days; forget makes replay idempotent; a store
 * reopened reads what it wrote, in its own codec and plain (not compound) files.
 */
class LuceneLogStoreTest {

  private static final long DAY = 86_400_000_000_000L;

  @TempDir Path dir;

  private static LogEntry entry(long seq, long timeNanos, String body) {
    return new LogEntry(seq, timeNanos, timeNanos, 9, "INFO", body, new Owner("svc", "p", "", "", ""), "", "", "",
        Map.of(), Map.of());
  }

  private static List<String> bodies(LuceneLogStore store, long from, long to) {
    return store.search(new LogSearch(new ProjectScope(Set.of("p")), new TimeRange(from, to), "", Optional.empty(),
        0, 100, Optional.empty())).records().stream().map(LogEntry::body).toList();
  }

  @Test
  void retentionDeletesWholeDaysBeforeTheCutoff() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      store.write(List.of(entry(1, now - 10 * DAY, "ten days old"), entry(2, now - 3 * DAY, "three days old"),
          entry(3, now, "fresh")));
      store.refresh();
      assertThat(bodies(store, now - 20 * DAY, now + 1)).containsExactly("fresh", "three days old", "ten days old");

      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      assertThat(store.dropBefore(today.minusDays(7))).isEqualTo(1);
      assertThat(bodies(store, now - 20 * DAY, now + 1)).containsExactly("fresh", "three days old");
      assertThat(Files.exists(dir.resolve(PartitionSet.dayOf(now - 10 * DAY).toString()))).isFalse();
    }
  }

  @Test
  void forgettingASeqRangeBeforeRewritingItLeavesNoDuplicates() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      store.write(List.of(entry(10, now, "a"), entry(11, now + 1, "b"), entry(20, now + 2, "other range")));
      store.commit();
      store.forget(10, 20);
      store.write(List.of(entry(10, now, "a"), entry(11, now + 1, "b")));
      store.refresh();
      assertThat(bodies(store, now - DAY, now + DAY)).containsExactly("other range", "b", "a");
    }
  }

  @Test
  void aStoreReopenedReadsItsSegmentsThroughItsCodecRegisteredByName() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    List<LogEntry> written = new ArrayList<>();
    for (int i = 0; i < 1500; i++) { // a full block of 1024 records, compressed in several slices
      written.add(entry(i, now + i, "record " + i + " " + "x".repeat(250)));
    }
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      store.write(written);
      store.commit();
    }
    try (Directory day = FSDirectory.open(dir.resolve(PartitionSet.dayOf(now).toString()))) {
      assertThat(SegmentInfos.readLatestCommit(day).asList()).isNotEmpty()
          .allSatisfy(segment -> {
            assertThat(segment.info.getCodec().getName()).isEqualTo(StoreCodec.NAME);
            assertThat(segment.info.getUseCompoundFile()).as("a compound file").isFalse();
          });
    }
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      List<String> newest = bodies(store, now - DAY, now + DAY);
      assertThat(newest).hasSize(100);
      assertThat(newest.get(0)).isEqualTo(written.get(1499).body());
      assertThat(newest.get(99)).isEqualTo(written.get(1400).body());
    }
  }

  @Test
  void aDayWhoseIndexCannotBeReadIsMovedAsideAndTheOtherDaysOpen() throws Exception {
    aDamagedDayIsMovedAsideAndTakesRecordsAgain(file -> file.getFileName().toString().startsWith("segments_"),
        commit -> Files.write(commit, "not a commit point, a disk fault".repeat(8).getBytes()));
  }

  /**
   * A segment's metadata damaged: the day's writer opens (it reads the commit point), its first reader
   * does not. The writer was left open holding the day's write lock, which Lucene keeps by path in
   * the process: every later write of that day failed until a restart.
   */
  @Test
  void aDayWhoseSegmentsCannotBeReadIsMovedAsideAndTakesRecordsAgainWithoutARestart() throws Exception {
    aDamagedDayIsMovedAsideAndTakesRecordsAgain(file -> file.getFileName().toString().matches(".*\\.(fdm|tmd|nvm|dvm)"),
        meta -> {
          byte[] bytes = Files.readAllBytes(meta);
          bytes[bytes.length / 2] ^= 0x5a;
          Files.write(meta, bytes);
        });
  }

  /**
   * A file the day's commit names is gone (a disk fault): Lucene tells it as a corrupt index, so the day
   * goes aside as a damaged one does, and every other day opens.
   */
  @Test
  void aDayMissingAFileOfItsCommitIsMovedAsideAndTakesRecordsAgain() throws Exception {
    aDamagedDayIsMovedAsideAndTakesRecordsAgain(file -> file.getFileName().toString().matches(".*\\.(cfs|fdt|tim|doc|dvd)"),
        Files::delete);
  }

  private interface Damage {
    void to(Path file) throws java.io.IOException;
  }

  private void aDamagedDayIsMovedAsideAndTakesRecordsAgain(java.util.function.Predicate<Path> files, Damage damage)
      throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      store.write(List.of(entry(1, now - 2 * DAY, "two days old"), entry(2, now, "fresh")));
      store.commit();
    }
    Path damaged = dir.resolve(PartitionSet.dayOf(now - 2 * DAY).toString());
    try (var list = Files.list(damaged)) {
      List<Path> hit = list.filter(files).toList();
      assertThat(hit).as("files to damage").isNotEmpty();
      for (Path file : hit) {
        damage.to(file);
      }
    }
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      assertThat(bodies(store, now - 3 * DAY, now + 1)).containsExactly("fresh");
      store.write(List.of(entry(3, now - 2 * DAY, "two days old, again")));
      store.refresh();
      assertThat(bodies(store, now - 3 * DAY, now + 1)).containsExactly("fresh", "two days old, again");
    }
    try (var dirs = Files.list(dir)) {
      assertThat(dirs.map(d -> d.getFileName().toString()))
          .anyMatch(name -> name.startsWith(damaged.getFileName() + ".corrupt-"));
    }
  }

  @Test
  void aDayWhoseWriterFailedForGoodIsReportedAndTheOtherDaysStaySearchable() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    String lostDay = PartitionSet.dayOf(now - 2 * DAY).toString();
    java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean();
    // the disk under the day's index fills up: every new file fails, as on ENOSPC
    Partition.Disk disk = path -> new org.apache.lucene.store.FilterDirectory(FSDirectory.open(path)) {
      @Override
      public org.apache.lucene.store.IndexOutput createOutput(String name, org.apache.lucene.store.IOContext context)
          throws java.io.IOException {
        if (full.get() && path.endsWith(lostDay)) {
          throw new java.io.IOException("No space left on device");
        }
        return super.createOutput(name, context);
      }
    };
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20), disk)) {
      store.write(List.of(entry(1, now - 2 * DAY, "two days old"), entry(2, now, "fresh")));
      store.refresh();
      assertThat(store.failedPartitions()).isEmpty();
      full.set(true);
      try {
        store.write(List.of(entry(3, now - 2 * DAY, "lost with its day")));
        store.refresh();
      } catch (java.io.UncheckedIOException | java.io.IOException expected) {
        // the write, or the flush, that hit the full disk: ingest answers 503 and the journal keeps it
      }
      assertThat(store.failedPartitions()).singleElement().asString().startsWith(dir.getFileName() + "/" + lostDay);

      store.write(List.of(entry(4, now + 1, "fresh, after")));
      store.refresh();
      assertThat(bodies(store, now - DAY, now + 2)).as("today goes on").containsExactly("fresh, after", "fresh");
      // a checkpoint must not drop the journal that holds the failed day's records
      org.assertj.core.api.Assertions.assertThatThrownBy(store::commit).isInstanceOf(java.io.UncheckedIOException.class);
    }
  }

  @Test
  void aDayIndexesAtMostItsBoundOfAttributeKeysAndStoresTheRecordsPastIt() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    int keys = AttributeKeys.MAX_PER_DAY + 5;
    List<LogEntry> records = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      // clients putting ids in attribute keys, in as many projects as it takes to fill the day
      records.add(keyed(i, now + i, "p" + i / AttributeKeys.MAX_NEW_PER_PROJECT, "request." + i));
    }
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      // the bound's worth first, then the keys past it
      store.write(records.subList(0, AttributeKeys.MAX_PER_DAY));
      store.write(records.subList(AttributeKeys.MAX_PER_DAY, keys));
      store.refresh();
      String last = "p" + (keys - 1) / AttributeKeys.MAX_NEW_PER_PROJECT;
      assertThat(matching(store, "p0", "attr.request.0:v", now - 1, now + keys)).containsExactly("record 0");
      assertThat(matching(store, last, "attr.request." + (keys - 1) + ":v", now - 1, now + keys)).as("past the bound")
          .isEmpty();
      assertThat(matching(store, last, "\"record " + (keys - 1) + "\"", now - 1, now + keys)).as("stored and found otherwise")
          .containsExactly("record " + (keys - 1));
      store.commit();
    }
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      // the day remembers the keys it indexes: another new key is still past the bound after a restart
      store.write(List.of(new LogEntry(keys, now + keys, now + keys, 9, "INFO", "later", new Owner("svc", "fresh", "", "", ""),
          "", "", "", Map.of("request.later", "v", "request.1", "v"), Map.of())));
      store.refresh();
      assertThat(matching(store, "fresh", "attr.request.later:v", now - 1, now + keys + 1)).isEmpty();
      assertThat(matching(store, "fresh", "attr.request.1:v", now - 1, now + keys + 1)).containsExactly("later");
    }
  }

  /**
   * A key past its length bound is not indexed: each field name is held again in every segment a reader
   * has open, so 250 keys of a megabyte each, which the key count allows, filled the heap. Its records
   * are stored, and it takes nothing from the project's share.
   */
  @Test
  void anAttributeKeyLongerThanItsBoundIsStoredButNotIndexed() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    String longest = "k".repeat(AttributeKeys.MAX_KEY_LENGTH);
    String tooLong = "x".repeat(AttributeKeys.MAX_KEY_LENGTH + 1);
    List<LogEntry> records = new ArrayList<>(List.of(keyed(0, now, "p", longest), keyed(1, now + 1, "p", tooLong)));
    for (int i = 0; i < AttributeKeys.MAX_NEW_PER_PROJECT - 1; i++) {
      records.add(keyed(2 + i, now + 2 + i, "p", "request." + i));
    }
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      store.write(records.subList(0, 2));
      store.write(records.subList(2, records.size()));
      store.refresh();
      long to = now + records.size();
      assertThat(matching(store, "p", "attr." + longest + ":v", now - 1, to)).containsExactly("record 0");
      assertThat(matching(store, "p", "attr." + tooLong + ":v", now - 1, to)).as("past the length bound").isEmpty();
      assertThat(matching(store, "p", "\"record 1\"", now - 1, to)).as("stored and found otherwise")
          .containsExactly("record 1");
      int last = AttributeKeys.MAX_NEW_PER_PROJECT - 2;
      assertThat(matching(store, "p", "attr.request." + last + ":v", now - 1, to)).as("the share, whole")
          .containsExactly("record " + (2 + last));
    }
  }

  /** One project's runaway keys fill its share of the day, not the day: another project's new keys are still indexed. */
  @Test
  void aProjectAddsAtMostItsShareOfTheDaysAttributeKeys() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    int keys = AttributeKeys.MAX_PER_DAY + 5;
    List<LogEntry> records = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      records.add(keyed(i, now + i, "noisy", "request." + i));
    }
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      // in writes of 50, so the share's keys are the first ones (a block adds its new keys in no set order)
      for (int from = 0; from < keys; from += 50) {
        store.write(records.subList(from, Math.min(keys, from + 50)));
      }
      store.write(List.of(keyed(keys, now + keys, "quiet", "order.id"),
          keyed(keys + 1, now + keys + 1, "quiet", "request.0")));
      store.refresh();
      int share = AttributeKeys.MAX_NEW_PER_PROJECT;
      assertThat(matching(store, "noisy", "attr.request." + (share - 1) + ":v", now - 1, now + keys))
          .containsExactly("record " + (share - 1));
      assertThat(matching(store, "noisy", "attr.request." + share + ":v", now - 1, now + keys)).as("past its share")
          .isEmpty();
      assertThat(matching(store, "quiet", "attr.order.id:v", now - 1, now + keys + 2)).as("another project's new key")
          .containsExactly("record " + keys);
      assertThat(matching(store, "quiet", "attr.request.0:v", now - 1, now + keys + 2)).as("a key another project added")
          .containsExactly("record " + (keys + 1));
    }
  }

  /**
   * A project past its share finds its records by the keys it used within it, and by no other, even
   * one another project indexes: before, a hit told it that some project had used that key that day
   * (key names can hold ids or customers' names).
   */
  @Test
  void aProjectPastItsShareCannotTellWhichKeysOtherProjectsUse() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    int share = AttributeKeys.MAX_NEW_PER_PROJECT;
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 1000, 100, 16 << 20))) {
      store.write(List.of(keyed(0, now, "victim", "customer.acme-corp")));
      for (int i = 0; i < share; i++) {
        store.write(List.of(keyed(1 + i, now + 1 + i, "prober", "junk." + i)));
      }
      store.write(List.of(keyed(share + 1, now + share + 1, "prober", "customer.acme-corp"),
          keyed(share + 2, now + share + 2, "prober", "customer.nobody")));
      store.refresh();
      long to = now + share + 3;
      assertThat(matching(store, "prober", "attr.customer.acme-corp:v", now - 1, to)).as("a key another project uses")
          .isEmpty();
      assertThat(matching(store, "prober", "attr.customer.nobody:v", now - 1, to)).isEmpty();
      assertThat(matching(store, "prober", "attr.junk.0:v", now - 1, to)).as("a key within its share")
          .containsExactly("record 1");
      assertThat(matching(store, "victim", "attr.customer.acme-corp:v", now - 1, to)).containsExactly("record 0");
    }
  }

  /**
   * A search out of time drops what it kept as old as the blocks it did not read, and its cursor
   * starts the next page there. Blocks are read newest record first but overlap: the first holds
   * records 10 and 1, the unread ones 5 and 3, which a cursor at 1 skipped.
   */
  @Test
  void aPageOutOfTimeGivesACursorThatSkipsNoRecord() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    // the deadline is set and the first block read in time; the budget has run out at the second
    java.util.function.LongSupplier clock = () -> reads.getAndIncrement() < 2 ? 0 : Long.MAX_VALUE / 2;
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 5000, 100, 16 << 20),
        Partition.Disk.FILES, clock)) {
      store.write(List.of(keyed(1, now + 1, "p", "k"), keyed(10, now + 10, "p", "k")));
      store.write(List.of(keyed(5, now + 5, "p", "k")));
      store.write(List.of(keyed(3, now + 3, "p", "k")));
      store.refresh();
      LogSearch first = new LogSearch(new ProjectScope(Set.of("p")), new TimeRange(now - 1, now + 100), "",
          Optional.empty(), 0, 10, Optional.empty());
      var page = store.search(first);
      assertThat(page.partial()).isTrue();
      assertThat(page.records()).extracting(LogEntry::seq).as("only what no unread block can precede").containsExactly(10L);
      assertThat(page.next()).isPresent();

      reads.set(Integer.MIN_VALUE); // time enough from now on
      var rest = store.search(new LogSearch(first.scope(), first.range(), "", Optional.empty(), 0, 10, page.next()));
      assertThat(rest.partial()).isFalse();
      assertThat(rest.records()).extracting(LogEntry::seq).containsExactly(5L, 3L, 1L);
    }
  }

  /** Pages that run out of time before reading a block give no cursor that goes nowhere: following them ends. */
  @Test
  void followingTheCursorsOfPagesOutOfTimeEnds() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    // each search sets its deadline in time and is past it at its first block
    java.util.function.LongSupplier clock = () -> reads.getAndIncrement() % 2 == 0 ? 0 : Long.MAX_VALUE / 2;
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 5000, 100, 16 << 20),
        Partition.Disk.FILES, clock)) {
      store.write(List.of(keyed(1, now + 1, "p", "k")));
      store.refresh();
      Optional<LogSearch.Position> after = Optional.empty();
      int pages = 0;
      do {
        reads.set(0);
        var page = store.search(new LogSearch(new ProjectScope(Set.of("p")), new TimeRange(now - 1, now + 100), "",
            Optional.empty(), 0, 10, after));
        assertThat(page.partial()).isTrue();
        after = page.next();
        pages++;
      } while (after.isPresent() && pages < 10);
      assertThat(pages).as("pages followed").isLessThanOrEqualTo(2);
    }
  }

  private static LogEntry keyed(long seq, long timeNanos, String project, String key) {
    return new LogEntry(seq, timeNanos, timeNanos, 9, "INFO", "record " + seq, new Owner("svc", project, "", "", ""), "", "",
        "", Map.of(key, "v"), Map.of());
  }

  private static List<String> matching(LuceneLogStore store, String project, String text, long from, long to) {
    return store.search(new LogSearch(new ProjectScope(Set.of(project)), new TimeRange(from, to), text, Optional.empty(),
        0, 100, Optional.empty())).records().stream().map(LogEntry::body).toList();
  }

  private static List<String> matching(LuceneLogStore store, String text, long from, long to) {
    return store.search(new LogSearch(new ProjectScope(Set.of("p")), new TimeRange(from, to), text, Optional.empty(),
        0, 100, Optional.empty())).records().stream().map(LogEntry::body).toList();
  }
}
