package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.AnswerMemory;
import dev.outpost.observability.store.Histogram;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.LogPage;
import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.LogStore;
import dev.outpost.observability.store.PreparedWrite;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.RecordSize;
import dev.outpost.observability.store.TimeRange;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;

/**
 * {@link LogStore} on daily Lucene partitions under {@code <dir>/logs}, records kept in blocks
 * ({@link LogBlocks}): a search finds the candidate blocks through Lucene, newest first, and checks
 * their records one by one.
 */
public final class LuceneLogStore implements LogStore, Closeable {

  /** Blocks read per round of a search; most pages of 100 records come from the first round. */
  private static final int BLOCK_PAGE = 16;
  /** The highest OTLP severity number (FATAL4). */
  private static final int MAX_SEVERITY_NUMBER = 24;
  private static final Comparator<LogEntry> NEWEST_FIRST =
      Comparator.comparingLong(LogEntry::timeNanos).thenComparingLong(LogEntry::seq).reversed();

  private final PartitionSet partitions;
  private final LogBlocks blocks;
  private final QueryText queryText;
  private final QueryLimits limits;
  /** The clock a search's time budget is read from (a test's may run out where it says). */
  private final LongSupplier nanoClock;

  public LuceneLogStore(Path dir, int ramBufferMb, QueryLimits limits) throws IOException {
    this(dir, ramBufferMb, limits, Partition.Disk.FILES, System::nanoTime);
  }

  LuceneLogStore(Path dir, int ramBufferMb, QueryLimits limits, Partition.Disk disk) throws IOException {
    this(dir, ramBufferMb, limits, disk, System::nanoTime);
  }

  LuceneLogStore(Path dir, int ramBufferMb, QueryLimits limits, Partition.Disk disk, LongSupplier nanoClock)
      throws IOException {
    this.partitions = new PartitionSet(dir, new QueryAnalyzer(), ramBufferMb, disk);
    this.blocks = new LogBlocks();
    this.queryText = new QueryText(LogDocuments.BODY, LogDocuments.QUERYABLE, limits.maxClauses());
    this.limits = limits;
    this.nanoClock = nanoClock;
  }

  @Override
  public PreparedWrite prepare(List<LogEntry> records) {
    List<LogBlocks.Block> prepared = blocks.toBlocks(records);
    return () -> {
      for (LogBlocks.Block block : prepared) {
        partitions.add(block.timeNanos(), block.document());
      }
    };
  }

  @Override
  public void forget(long fromSeq, long toSeq) {
    Query overlapping = new BooleanQuery.Builder()
        .add(LongPoint.newRangeQuery(LogBlocks.MIN_SEQ, Long.MIN_VALUE, toSeq - 1), BooleanClause.Occur.FILTER)
        .add(LongPoint.newRangeQuery(LogBlocks.MAX_SEQ, fromSeq, Long.MAX_VALUE), BooleanClause.Occur.FILTER)
        .build();
    Query inside = new BooleanQuery.Builder()
        .add(LongPoint.newRangeQuery(LogBlocks.MIN_SEQ, fromSeq, toSeq - 1), BooleanClause.Occur.FILTER)
        .add(LongPoint.newRangeQuery(LogBlocks.MAX_SEQ, fromSeq, toSeq - 1), BooleanClause.Occur.FILTER)
        .build();
    // a block reaching past either end keeps its records outside the range: written again without
    // the others (the journal writes one frame's records together, so this is rare)
    Query straddling = new BooleanQuery.Builder()
        .add(overlapping, BooleanClause.Occur.FILTER).add(inside, BooleanClause.Occur.MUST_NOT).build();
    List<LogEntry> kept = new ArrayList<>();
    for (BytesRef stored : partitions.storedEverywhere(straddling, LogBlocks.RECORDS)) {
      for (LogEntry e : LogBlocks.records(stored)) {
        if (e.seq() < fromSeq || e.seq() >= toSeq) {
          kept.add(e);
        }
      }
    }
    partitions.deleteEverywhere(overlapping);
    write(kept);
  }

  @Override
  public void commit() {
    partitions.commit();
  }

  @Override
  public LogPage search(LogSearch search, AnswerMemory memory) {
    Query exact = queryText.parse(search.text());
    Predicate<LogEntry> filters = filters(search, true);
    Predicate<LogEntry> text = RecordCheck.of(exact);
    BooleanQuery.Builder candidates = blockQuery(search, exact);
    search.after().ifPresent(after -> candidates.add(
        LongPoint.newRangeQuery(LogBlocks.MIN_TIME, Long.MIN_VALUE, after.timeNanos()), BooleanClause.Occur.FILTER));
    Query query = candidates.build();
    long deadline = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(limits.timeBudgetMillis());
    int limit = search.limit();
    return Searches.run(partitions, search.range(), searcher -> {
      Searches.budget(searcher, limits.timeBudgetMillis());
      // the best records so far, the oldest of them at the head; at most room of them, fewer once
      // their text passes the page's budget (the newest that fit, so the cursor loses nothing)
      PriorityQueue<LogEntry> best = new PriorityQueue<>(limit + 1, NEWEST_FIRST.reversed());
      int room = limit;
      long chars = 0;
      boolean outOfTime = false;
      // out of time, the blocks not read hold records no newer than this: kept ones as old are
      // dropped, so that the cursor skips none of theirs
      long unread = Long.MIN_VALUE;
      StoredFields stored = searcher.storedFields();
      FieldDoc last = null;
      pages:
      while (true) {
        FieldDoc before = last;
        TopDocs page = last == null
            ? searcher.search(query, BLOCK_PAGE, LogBlocks.NEWEST_FIRST)
            : searcher.searchAfter(last, query, BLOCK_PAGE, LogBlocks.NEWEST_FIRST);
        if (searcher.timedOut()) {
          // Lucene's own budget cut this page short, which blocks it found is not known
          outOfTime = true;
          unread = before == null ? Long.MAX_VALUE : (Long) before.fields[0];
          break;
        }
        for (ScoreDoc hit : page.scoreDocs) {
          last = (FieldDoc) hit;
          // blocks come newest record first: once one's newest is older than the worst kept
          // record, no later block can place one
          if (best.size() == room && (Long) last.fields[0] < best.peek().timeNanos()) {
            break pages;
          }
          if (nanoClock.getAsLong() > deadline) {
            outOfTime = true;
            unread = (Long) last.fields[0];
            break pages;
          }
          List<LogEntry> ascending = LogBlocks.records(stored.document(hit.doc).getBinaryValue(LogBlocks.RECORDS));
          for (int i = ascending.size() - 1; i >= 0; i--) {
            LogEntry e = ascending.get(i);
            if (best.size() == room && NEWEST_FIRST.compare(e, best.peek()) > 0) {
              break; // the rest of the block is older still
            }
            if (filters.test(e) && text.test(e)) {
              best.add(e);
              chars += RecordSize.of(e);
              if (best.size() > room) {
                chars -= RecordSize.of(best.poll());
              }
              while ((chars > limits.maxPageChars() || chars > memory.grant(chars)) && best.size() > 1) {
                chars -= RecordSize.of(best.poll());
                room = best.size();
              }
            }
          }
        }
        if (page.scoreDocs.length < BLOCK_PAGE) {
          break;
        }
      }
      List<LogEntry> records = new ArrayList<>(best);
      records.sort(NEWEST_FIRST);
      long boundary = unread;
      if (outOfTime) {
        records.removeIf(e -> e.timeNanos() <= boundary);
      }
      Optional<LogSearch.Position> next;
      if (!records.isEmpty() && (outOfTime || records.size() >= room)) {
        LogEntry oldest = records.get(records.size() - 1);
        next = Optional.of(new LogSearch.Position(oldest.timeNanos(), oldest.seq()));
      } else if (outOfTime && boundary != Long.MAX_VALUE
          && search.after().map(after -> boundary < after.timeNanos()).orElse(true)) {
        // nothing kept newer than the unread blocks, some read: the next page starts at the unread ones
        next = Optional.of(new LogSearch.Position(boundary, Long.MAX_VALUE));
      } else {
        // a cursor that moved on from nowhere would be followed for ever: partial, and no cursor
        next = Optional.empty();
      }
      return new LogPage(records, next, outOfTime);
    });
  }

  @Override
  public Histogram histogram(LogSearch search, long intervalNanos) {
    Query exact = queryText.parse(search.text());
    // without a record-level condition the blocks' times are all a histogram needs
    boolean perRecord = !(exact instanceof MatchAllDocsQuery) || search.integration().isPresent()
        || search.minSeverityNumber() > 0;
    Predicate<LogEntry> matches = filters(search, true).and(RecordCheck.of(exact));
    Query query = blockQuery(search, exact).build();
    long from = search.range().fromNanos();
    long to = search.range().toNanos();
    int bucketCount = (int) Math.ceil((to - from) / (double) intervalNanos);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.timeBudgetMillis());
    // counted inside the read: a read run again without a damaged day (PartitionSet#search) starts afresh
    Counts counted = Searches.run(partitions, search.range(), searcher -> {
      Searches.budget(searcher, limits.timeBudgetMillis());
      long[] counts = new long[bucketCount];
      boolean[] outOfTime = {false};
      searcher.search(query, new SimpleCollector() {
        private BinaryDocValues times;
        private StoredFields stored;

        @Override
        protected void doSetNextReader(LeafReaderContext context) throws IOException {
          times = context.reader().getBinaryDocValues(LogBlocks.TIMES);
          stored = context.reader().storedFields();
        }

        @Override
        public void collect(int doc) throws IOException {
          if (outOfTime[0] || System.nanoTime() > deadline) {
            outOfTime[0] = true;
            return;
          }
          if (perRecord) {
            for (LogEntry e : LogBlocks.records(stored.document(doc).getBinaryValue(LogBlocks.RECORDS))) {
              if (matches.test(e)) {
                counts[(int) ((e.timeNanos() - from) / intervalNanos)]++;
              }
            }
          } else if (times.advanceExact(doc)) {
            for (long t : LogBlocks.times(times.binaryValue())) {
              if (t >= from && t < to) {
                counts[(int) ((t - from) / intervalNanos)]++;
              }
            }
          }
        }

        @Override
        public ScoreMode scoreMode() {
          return ScoreMode.COMPLETE_NO_SCORES;
        }
      });
      return new Counts(counts, outOfTime[0] || searcher.timedOut());
    });
    List<Histogram.Bucket> buckets = new ArrayList<>(bucketCount);
    long total = 0;
    for (int i = 0; i < bucketCount; i++) {
      buckets.add(new Histogram.Bucket(from + i * intervalNanos, counted.perBucket()[i]));
      total += counted.perBucket()[i];
    }
    return new Histogram(intervalNanos, buckets, total, counted.partial());
  }

  /** A histogram's counts, and whether it ran out of time. */
  private record Counts(long[] perBucket, boolean partial) {}

  @Override
  public Predicate<LogEntry> matcher(LogSearch search) {
    return filters(search, false).and(RecordCheck.of(queryText.parse(search.text())));
  }

  @Override
  public SortedSet<String> services(ProjectScope scope, TimeRange range) {
    Query query = Searches.scoped(scope).add(overlapping(range), BooleanClause.Occur.FILTER).build();
    return Searches.run(partitions, range, searcher -> {
      Listing<String> services = Listing.ofNames();
      searcher.search(query, new SimpleCollector() {
        private BinaryDocValues times;
        private SortedSetDocValues names;
        private StoredFields stored;

        @Override
        protected void doSetNextReader(LeafReaderContext context) throws IOException {
          times = context.reader().getBinaryDocValues(LogBlocks.TIMES);
          names = context.reader().getSortedSetDocValues(Fields.SERVICE);
          stored = context.reader().storedFields();
        }

        @Override
        public void collect(int doc) throws IOException {
          long[] t = times.advanceExact(doc) ? LogBlocks.times(times.binaryValue()) : new long[0];
          if (t.length > 0 && t[0] >= range.fromNanos() && t[t.length - 1] < range.toNanos()) {
            if (names != null && names.advanceExact(doc)) {
              for (int i = 0; i < names.docValueCount(); i++) {
                services.add(names.lookupOrd(names.nextOrd()).utf8ToString());
              }
            }
            return;
          }
          // a block reaching past the range: only its records inside count
          for (LogEntry e : LogBlocks.records(stored.document(doc).getBinaryValue(LogBlocks.RECORDS))) {
            String service = e.owner().service();
            if (e.timeNanos() >= range.fromNanos() && e.timeNanos() < range.toNanos() && service != null
                && !service.isEmpty()) {
              services.add(service);
            }
          }
        }

        @Override
        public ScoreMode scoreMode() {
          return ScoreMode.COMPLETE_NO_SCORES;
        }
      });
      return services.values();
    });
  }

  @Override
  public SortedSet<LocalDate> unreadableDays(TimeRange range) {
    return partitions.unreadable(range);
  }

  /** The record-level filters of a search besides its text, cheapest first. */
  private static Predicate<LogEntry> filters(LogSearch search, boolean inRange) {
    long from = search.range().fromNanos();
    long to = search.range().toNanos();
    Optional<LogSearch.Position> after = search.after();
    return e -> (!inRange || (e.timeNanos() >= from && e.timeNanos() < to))
        && after.map(p -> e.timeNanos() < p.timeNanos() || (e.timeNanos() == p.timeNanos() && e.seq() < p.seq()))
            .orElse(true)
        && hasSeverity(e.severityNumber(), search.minSeverityNumber())
        && search.scope().allows(e.owner().project())
        && search.integration().map(i -> i.equals(e.owner().integration())).orElse(true);
  }

  /**
   * Whether a record's severity number passes a minimum (0: none asked). OTLP defines 1-24; any
   * other number the wire allows (-1, 99) is no severity, like 0: it passes no minimum, and no
   * minimum hides it.
   */
  private static boolean hasSeverity(int number, int minimum) {
    return minimum <= 0 || (number >= minimum && number <= MAX_SEVERITY_NUMBER);
  }

  /** The blocks that may hold a match: the exact project filter, then the loosened rest. */
  private static BooleanQuery.Builder blockQuery(LogSearch search, Query exact) {
    BooleanQuery.Builder query = Searches.scoped(search.scope())
        .add(BlockQueries.widen(exact), BooleanClause.Occur.MUST)
        .add(overlapping(search.range()), BooleanClause.Occur.FILTER);
    search.integration().ifPresent(i ->
        query.add(new TermQuery(new Term(Fields.INTEGRATION, i)), BooleanClause.Occur.FILTER));
    if (search.minSeverityNumber() > 0) {
      query.add(IntPoint.newRangeQuery(LogBlocks.MAX_SEVERITY, search.minSeverityNumber(), Integer.MAX_VALUE),
          BooleanClause.Occur.FILTER);
    }
    return query;
  }

  /** Blocks with a record time in [from, to): their span of times meets the range. */
  private static Query overlapping(TimeRange range) {
    return new BooleanQuery.Builder()
        .add(LongPoint.newRangeQuery(LogBlocks.MIN_TIME, Long.MIN_VALUE, range.toNanos() - 1), BooleanClause.Occur.FILTER)
        .add(LongPoint.newRangeQuery(LogBlocks.MAX_TIME, range.fromNanos(), Long.MAX_VALUE), BooleanClause.Occur.FILTER)
        .build();
  }

  /** Reopens searchers so that records written so far become visible. */
  public void refresh() throws IOException {
    partitions.refresh();
  }

  /** How many days reads leave out as damaged. */
  public int unreadableDayCount() {
    return partitions.unreadableCount();
  }

  /** The days whose writer failed for good, and why ({@link PartitionSet#failed}). */
  public List<String> failedPartitions() {
    return partitions.failed();
  }

  /** Deletes the daily partitions before {@code firstKept}. */
  public int dropBefore(LocalDate firstKept) throws IOException {
    return partitions.dropBefore(firstKept);
  }

  /** The daily partitions, which retention by size weighs and deletes with the other signal's. */
  PartitionSet partitions() {
    return partitions;
  }

  @Override
  public void close() throws IOException {
    partitions.close();
  }
}
