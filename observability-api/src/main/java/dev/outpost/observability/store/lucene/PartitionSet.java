package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.DirectorySize;
import dev.outpost.observability.store.TimeRange;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;
import org.jboss.logging.Logger;

/**
 * The daily partitions of one signal under one directory ({@code <root>/<yyyy-mm-dd>}). Records go
 * to the partition of their day (UTC); a search opens one reader over the days its range covers;
 * retention deletes whole days.
 */
final class PartitionSet implements Closeable {

  private static final Logger LOG = Logger.getLogger(PartitionSet.class);
  private static final long NANOS_PER_DAY = 86_400_000_000_000L;

  private final Path root;
  private final Analyzer analyzer;
  private final int ramBufferMb;
  private final Partition.Disk disk;
  private final ConcurrentSkipListMap<LocalDate, Partition> partitions = new ConcurrentSkipListMap<>();
  /**
   * Held to use partitions (ingest, replay, refresh, commit, search), and exclusively by retention
   * to close and remove them: a day closed under a search, or under the journal's replay at start,
   * failed it with AlreadyClosedException (a 500, or a start that stopped).
   */
  private final ReentrantReadWriteLock use = new ReentrantReadWriteLock();
  /** The mark of a day's directory moved aside: {@code <day>.corrupt-<millis>}. */
  private static final String QUARANTINED = ".corrupt-";
  /** The mark of a directory being deleted: {@code <name>.deleting-<millis>}. */
  private static final String DELETING = ".deleting-";
  /** The days with a directory moved aside ({@link #quarantine}), at this start or an earlier one. */
  private final ConcurrentSkipListSet<LocalDate> setAside = new ConcurrentSkipListSet<>();
  /** How long retention waits for partitions in use, ingest waiting behind it meanwhile. */
  static final long DROP_WAIT_MILLIS = 200;
  /** The day a deletion that failed was last said: it is tried at every pass, said once a day. */
  private LocalDate deletionFailureSaidOn;

  /** Work done with a searcher over several partitions. */
  interface SearchWork<T> {
    T run(IndexSearcher searcher) throws IOException;
  }

  PartitionSet(Path root, Analyzer analyzer, int ramBufferMb, Partition.Disk disk) throws IOException {
    this.root = root;
    this.analyzer = analyzer;
    this.ramBufferMb = ramBufferMb;
    this.disk = disk;
    Files.createDirectories(root);
    List<Path> dirs;
    try (Stream<Path> listed = Files.list(root)) {
      dirs = listed.filter(Files::isDirectory).sorted().toList();
    }
    for (Path dir : dirs) {
      LocalDate day = dayOfDirectory(dir);
      if (day == null) {
        LOG.warnf("ignoring %s: not a daily partition", dir);
      } else if (dir.getFileName().toString().contains(DELETING)) {
        finishDeleting(dir);
      } else if (!dir.getFileName().toString().equals(day.toString())) {
        setAside.add(day);
        LOG.warnf("%s holds the index of %s, moved aside as damaged at an earlier start: the answers covering its day"
            + " name it in unreadableDays until retention deletes it (said at each start)", dir, day);
      } else {
        open(day, dir);
      }
    }
  }

  /** Deletes what a deletion (by retention) left halfway, stopped by a crash or a failure. */
  private static void finishDeleting(Path dir) {
    try {
      deleteTree(dir);
      LOG.infof("deleted %s, left halfway by a deletion", dir);
    } catch (IOException | UncheckedIOException e) {
      LOG.warnf("%s, left halfway by a deletion, cannot be deleted (%s): retention tries again", dir, e.getMessage());
    }
  }

  /**
   * Opens a day's partition; one whose files are damaged ({@link DamagedAtOpen}) is moved aside
   * instead of stopping the start, which stopped ingest and queries of every day for one. Any other
   * failure (a lock another process holds, a newer build's format) still stops it.
   */
  private void open(LocalDate day, Path dir) throws IOException {
    try {
      partitions.put(day, new Partition(day, dir, analyzer, ramBufferMb, disk));
    } catch (IOException | RuntimeException failure) {
      Optional<String> damage;
      try (Directory files = disk.open(dir)) {
        damage = DamagedAtOpen.why(files, failure);
      } catch (IOException unreadable) {
        failure.addSuppressed(unreadable);
        throw failure;
      }
      if (damage.isEmpty()) {
        throw failure;
      }
      quarantine(day, dir, damage.get());
    }
  }

  /**
   * Moves a damaged day aside ({@code <day>.corrupt-<millis>}), its files as they are, for the
   * operator to look at or mend, until retention deletes its day; never read again. The answers
   * covering the day name it (as a day found damaged by a search), and the day takes records again
   * in a new partition: those of it still in the journal are indexed again, the rest are aside. So
   * for the current day too: ingest goes on, and nothing acknowledged is deleted.
   */
  private void quarantine(LocalDate day, Path dir, String why) throws IOException {
    Path aside = dir.resolveSibling(dir.getFileName() + QUARANTINED + System.currentTimeMillis());
    Files.move(dir, aside);
    setAside.add(day);
    LOG.errorf("the index of %s is damaged and cannot be opened (%s): moved as it is to %s; the answers covering its"
        + " day name it in unreadableDays until retention deletes it, and the day takes new records", dir, why, aside);
  }

  static LocalDate dayOf(long nanos) {
    return LocalDate.ofEpochDay(Math.floorDiv(nanos, NANOS_PER_DAY));
  }

  static long startOf(LocalDate day) {
    return day.toEpochDay() * NANOS_PER_DAY;
  }

  void add(long timeNanos, Iterable<? extends IndexableField> document) {
    use.readLock().lock();
    try {
      Partition day = partition(dayOf(timeNanos));
      day.writer.addDocument(day.attributeKeys.admitted(document));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      use.readLock().unlock();
    }
  }

  void deleteEverywhere(Query query) {
    use.readLock().lock();
    try {
      for (Partition p : partitions.values()) {
        p.writer.deleteDocuments(query);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      use.readLock().unlock();
    }
  }

  /**
   * One stored field of every document matching {@code query}, in every partition, as the writers
   * hold them now (what is not yet committed or refreshed included).
   */
  List<BytesRef> storedEverywhere(Query query, String field) {
    List<BytesRef> values = new ArrayList<>();
    use.readLock().lock();
    try {
      for (Partition p : partitions.values()) {
        try (DirectoryReader reader = DirectoryReader.open(p.writer)) {
          IndexSearcher searcher = new IndexSearcher(reader);
          StoredFields stored = searcher.storedFields();
          for (ScoreDoc hit : searcher.search(query, Math.max(1, reader.maxDoc())).scoreDocs) {
            values.add(BytesRef.deepCopyOf(stored.document(hit.doc).getBinaryValue(field)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      use.readLock().unlock();
    }
    return values;
  }

  /**
   * Reopens the searchers of every partition whose writer works: one that failed for good is left
   * as it was last searchable ({@link #failed}), not retried every refresh, and the others go on.
   */
  void refresh() throws IOException {
    use.readLock().lock();
    try {
      IOException first = null;
      for (Partition p : partitions.values()) {
        if (p.failure() != null) {
          continue;
        }
        try {
          p.searchers.maybeRefresh();
        } catch (IOException | RuntimeException e) {
          LOG.errorf("refreshing partition %s failed: %s", p.path, e.getMessage());
          first = first == null ? asIo(e) : first;
        }
      }
      if (first != null) {
        throw first;
      }
    } finally {
      use.readLock().unlock();
    }
  }

  /**
   * Commits every partition; fails when any one did, after trying the others, so that the journal
   * that holds its records is kept.
   */
  void commit() {
    use.readLock().lock();
    try {
      IOException first = null;
      for (Partition p : partitions.values()) {
        try {
          p.writer.commit();
        } catch (IOException | RuntimeException e) {
          first = first == null ? asIo(e) : first;
        }
      }
      if (first != null) {
        throw new UncheckedIOException(first);
      }
    } finally {
      use.readLock().unlock();
    }
  }

  /**
   * The partitions whose writer failed for good (Lucene's tragic event: a failed flush or merge, on
   * a full disk say) and why. Such a writer takes no more records and cannot commit; only a restart,
   * which opens its last commit and replays the journal, brings the day back.
   */
  List<String> failed() {
    List<String> failed = new ArrayList<>();
    for (Partition p : partitions.values()) {
      Throwable failure = p.failure();
      if (failure != null) {
        failed.add(root.getFileName() + "/" + p.day + ": " + failure);
      }
    }
    return failed;
  }

  private static IOException asIo(Throwable e) {
    return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
  }

  /**
   * Deletes the partitions of days before {@code firstKept}, the days moved aside, and what an
   * earlier deletion that failed left of a day; returns how many days' directories went. Waits at
   * most {@link #DROP_WAIT_MILLIS} for the searches using partitions to end (while it waits, ingest
   * waits too) and otherwise deletes nothing this time: the next pass will. A directory that cannot
   * be deleted (a permission, a file system error) stays, out of queries, and is tried again at the
   * next pass; said once a day.
   */
  int dropBefore(LocalDate firstKept) throws IOException {
    if (partitions.headMap(firstKept).isEmpty() && leftoversBefore(firstKept).isEmpty()) {
      setAside.headSet(firstKept).clear(); // their directories are gone (by hand)
      return 0;
    }
    try {
      if (!use.writeLock().tryLock(DROP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        LOG.infof("retention: searches kept %s busy; its old days go at the next pass", root);
        return 0;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    // under the lock: a late record of that day would otherwise start it again under the deletion
    try {
      List<Path> leftovers = leftoversBefore(firstKept);
      int gone = 0;
      for (Partition p : new ArrayList<>(partitions.headMap(firstKept).values())) {
        partitions.remove(p.day);
        if (discarded(p) && deleted(p.path)) {
          LOG.infof("retention: deleted partition %s", p.path);
          gone++;
        }
      }
      for (Path dir : leftovers) {
        if (deleted(dir)) {
          boolean aside = movedAside(dir);
          LOG.infof(aside ? "retention: deleted %s, a day moved aside" : "retention: deleted %s, left by a deletion"
              + " that failed", dir);
          gone += aside ? 0 : 1;
        }
      }
      Set<LocalDate> stillAside = new HashSet<>();
      leftoversBefore(firstKept).stream().filter(PartitionSet::movedAside)
          .forEach(dir -> stillAside.add(dayOfDirectory(dir)));
      setAside.removeIf(day -> day.isBefore(firstKept) && !stillAside.contains(day));
      return gone;
    } finally {
      use.writeLock().unlock();
    }
  }

  /**
   * The directories of days before {@code firstKept} that no open partition uses: days moved aside
   * ({@link #quarantine}), and what a deletion that failed left.
   */
  private List<Path> leftoversBefore(LocalDate firstKept) throws IOException {
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(dir -> {
        LocalDate day = dayOfDirectory(dir);
        return day != null && day.isBefore(firstKept) && Files.isDirectory(dir)
            && !dir.equals(partitionPath(day));
      }).toList();
    }
  }

  /** The directory of the open partition of {@code day}, or null. */
  private Path partitionPath(LocalDate day) {
    Partition open = partitions.get(day);
    return open == null ? null : open.path;
  }

  /** Whether any directory of {@code day} is left, its partition's or one moved aside: what retention by size asks. */
  boolean holds(LocalDate day) throws IOException {
    if (partitions.containsKey(day)) {
      return true;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.anyMatch(dir -> day.equals(dayOfDirectory(dir)));
    }
  }

  /** Closes a partition being deleted; false, said, when closing failed (its files stay for the next pass). */
  private boolean discarded(Partition p) {
    try {
      p.discard();
      return true;
    } catch (IOException | RuntimeException e) {
      saidOnceADay(p.path, e);
      return false;
    }
  }

  /** Deletes a directory; false, said once a day, when it cannot (it stays for the next pass). */
  private boolean deleted(Path dir) {
    try {
      deleteTree(dir);
      return true;
    } catch (IOException | UncheckedIOException e) {
      saidOnceADay(dir, e);
      return false;
    }
  }

  /** A deletion that keeps failing is tried at every pass, every 10 s while ingest refuses: said once a day. */
  private void saidOnceADay(Path dir, Exception e) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    if (!today.equals(deletionFailureSaidOn)) {
      deletionFailureSaidOn = today;
      LOG.errorf("retention: %s cannot be deleted (%s); its day is out of queries, its bytes stay, and it is tried"
          + " again at each pass (said once a day)", dir, e.getMessage());
    }
  }

  /**
   * The bytes each day's directory holds on disk, a day moved aside counted with its day: what
   * retention by size weighs. Measured as the files are now, merges and flushes under way included.
   */
  SortedMap<LocalDate, Long> dayBytes() throws IOException {
    SortedMap<LocalDate, Long> bytes = new TreeMap<>();
    List<Path> dirs;
    try (Stream<Path> listed = Files.list(root)) {
      dirs = listed.filter(Files::isDirectory).toList();
    }
    for (Path dir : dirs) {
      LocalDate day = dayOfDirectory(dir);
      if (day != null) {
        bytes.merge(day, DirectorySize.of(dir), Long::sum);
      }
    }
    return bytes;
  }

  /**
   * The day a directory under the root holds ({@code <day>}, {@code <day>.corrupt-<millis>}, either
   * of them {@code .deleting-<millis>}), or null.
   */
  private static LocalDate dayOfDirectory(Path dir) {
    String name = dir.getFileName().toString();
    int mark = name.indexOf(QUARANTINED) > 0 ? name.indexOf(QUARANTINED) : name.indexOf(DELETING);
    try {
      return LocalDate.parse(mark > 0 ? name.substring(0, mark) : name);
    } catch (DateTimeParseException notADay) {
      return null;
    }
  }

  /** Whether the directory is a day moved aside as damaged, and not being deleted. */
  private static boolean movedAside(Path dir) {
    String name = dir.getFileName().toString();
    return name.contains(QUARANTINED) && !name.contains(DELETING);
  }

  /**
   * Deletes a directory and what it holds, renamed {@code .deleting-<millis>} first: one a crash or
   * a failure leaves halfway is then no day's index (segment files without their commit point, which
   * the next start would take for a damaged day), and is finished by the next start or pass.
   */
  private static void deleteTree(Path dir) throws IOException {
    Path doomed = dir;
    if (!dir.getFileName().toString().contains(DELETING)) {
      doomed = dir.resolveSibling(dir.getFileName() + DELETING + System.currentTimeMillis());
      Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
    }
    try (Stream<Path> files = Files.walk(doomed)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  Collection<LocalDate> days() {
    return partitions.keySet();
  }

  /**
   * Runs {@code work} over the days {@code range} covers, but those found damaged ({@link
   * #unreadable}). A search that fails as damaged files make it fail ({@link DamagedDays}) has the
   * days it read checked, and runs again without the one whose files fail their checksums, until it
   * succeeds or no day is found damaged (then its failure is thrown): one damaged day failed every
   * query that covered it, with a 500.
   */
  <T> T search(TimeRange range, SearchWork<T> work) throws IOException {
    return searchReadable(covered(range), work);
  }

  <T> T searchAll(SearchWork<T> work) throws IOException {
    return searchReadable(partitions.values(), work);
  }

  /**
   * The days, of those {@code range} covers (all when null), that searches leave out as damaged: found
   * so by a search, or moved aside when they could not be opened.
   */
  SortedSet<LocalDate> unreadable(TimeRange range) {
    SortedSet<LocalDate> days = new TreeSet<>(range == null ? setAside
        : setAside.subSet(dayOf(range.fromNanos()), true, dayOf(range.toNanos() - 1), true));
    for (Partition p : range == null ? partitions.values() : covered(range)) {
      if (p.unreadable()) {
        days.add(p.day);
      }
    }
    return days;
  }

  /** How many days searches leave out as damaged: a gauge's. */
  int unreadableCount() {
    return unreadable(null).size();
  }

  private Collection<Partition> covered(TimeRange range) {
    return partitions.subMap(dayOf(range.fromNanos()), true, dayOf(range.toNanos() - 1), true).values();
  }

  private <T> T searchReadable(Collection<Partition> covered, SearchWork<T> work) throws IOException {
    use.readLock().lock();
    try {
      Set<Partition> checked = new HashSet<>();
      while (true) {
        List<Partition> readable = covered.stream().filter(p -> !p.unreadable()).toList();
        try {
          return searchOver(readable, work);
        } catch (IOException | RuntimeException | InternalError | AssertionError failure) {
          if (!DamagedDays.maySignal(failure) || DamagedDays.find(readable, failure, checked) == null) {
            throw failure;
          }
        }
      }
    } finally {
      use.readLock().unlock();
    }
  }

  /** Runs {@code work} over one reader of {@code parts}, under the {@link #use} lock. */
  private <T> T searchOver(List<Partition> parts, SearchWork<T> work) throws IOException {
    List<IndexSearcher> acquired = new ArrayList<>(parts.size());
    try {
      for (Partition p : parts) {
        acquired.add(p.searchers.acquire());
      }
      IndexReader[] readers = acquired.stream().map(IndexSearcher::getIndexReader).toArray(IndexReader[]::new);
      try (MultiReader reader = new MultiReader(readers, false)) {
        return work.run(new IndexSearcher(reader));
      }
    } finally {
      for (int i = 0; i < acquired.size(); i++) {
        parts.get(i).searchers.release(acquired.get(i));
      }
    }
  }

  private Partition partition(LocalDate day) throws IOException {
    Partition existing = partitions.get(day);
    if (existing != null) {
      return existing;
    }
    synchronized (partitions) {
      Partition again = partitions.get(day);
      if (again != null) {
        return again;
      }
      Partition created = new Partition(day, root.resolve(day.toString()), analyzer, ramBufferMb, disk);
      partitions.put(day, created);
      return created;
    }
  }

  @Override
  public void close() throws IOException {
    for (Partition p : partitions.values()) {
      p.close();
    }
    partitions.clear();
  }
}
