package dev.outpost.observability.store.lucene;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.store.Histogram;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.LogPage;
import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.LogStore;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.TimeRange;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Predicate;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;

/** {@link LogStore} on daily Lucene partitions under {@code <dir>/logs}. */
public final class LuceneLogStore implements LogStore, Closeable {

  private final PartitionSet partitions;
  private final LogDocuments documents;
  private final QueryText queryText;
  private final QueryLimits limits;

  public LuceneLogStore(Path dir, int ramBufferMb, QueryLimits limits, ObjectMapper json) throws IOException {
    this.partitions = new PartitionSet(dir, new QueryAnalyzer(), ramBufferMb);
    this.documents = new LogDocuments(json);
    this.queryText = new QueryText(LogDocuments.BODY, LogDocuments.QUERYABLE, limits.maxClauses());
    this.limits = limits;
  }

  PartitionSet partitions() {
    return partitions;
  }

  @Override
  public void write(List<LogEntry> records) {
    for (LogEntry e : records) {
      partitions.add(e.timeNanos(), documents.toDocument(e));
    }
  }

  @Override
  public void forget(long fromSeq, long toSeq) {
    partitions.deleteEverywhere(LongPoint.newRangeQuery(Fields.SEQ, fromSeq, toSeq - 1));
  }

  @Override
  public void commit() {
    partitions.commit();
  }

  @Override
  public LogPage search(LogSearch search) {
    Query query = filtered(search);
    return Searches.run(partitions, search.range(), searcher -> {
      if (searcher.getIndexReader().maxDoc() == 0) {
        return new LogPage(List.of(), Optional.empty(), false);
      }
      Searches.budget(searcher, limits.timeBudgetMillis());
      TopDocs top = search.after().isPresent()
          ? searcher.searchAfter(after(search.after().get()), query, search.limit(), LogDocuments.NEWEST_FIRST)
          : searcher.search(query, search.limit(), LogDocuments.NEWEST_FIRST);
      StoredFields stored = searcher.storedFields();
      List<LogEntry> records = new ArrayList<>(top.scoreDocs.length);
      for (ScoreDoc hit : top.scoreDocs) {
        records.add(documents.fromSource(stored.document(hit.doc).getBinaryValue(Fields.SOURCE).bytes));
      }
      Optional<LogSearch.Position> next = records.size() < search.limit()
          ? Optional.empty()
          : Optional.of(new LogSearch.Position(records.get(records.size() - 1).timeNanos(),
              records.get(records.size() - 1).seq()));
      return new LogPage(records, next, searcher.timedOut());
    });
  }

  /**
   * Lucene pages after a sort position and breaks ties by doc id, which differ between readers.
   * Seqs are unique, so "after (time, seq - 1), doc -1" is exactly "strictly after (time, seq)".
   */
  private static FieldDoc after(LogSearch.Position position) {
    return new FieldDoc(-1, Float.NaN, new Object[] {position.timeNanos(), position.seq() - 1});
  }

  @Override
  public Histogram histogram(LogSearch search, long intervalNanos) {
    Query query = filtered(search);
    long from = search.range().fromNanos();
    int bucketCount = (int) Math.ceil((search.range().toNanos() - from) / (double) intervalNanos);
    long[] counts = new long[bucketCount];
    boolean partial = Searches.run(partitions, search.range(), searcher -> {
      Searches.budget(searcher, limits.timeBudgetMillis());
      searcher.search(query, new SimpleCollector() {
        private NumericDocValues times;

        @Override
        protected void doSetNextReader(LeafReaderContext context) throws IOException {
          times = context.reader().getNumericDocValues(LogDocuments.TIMESTAMP);
        }

        @Override
        public void collect(int doc) throws IOException {
          if (times != null && times.advanceExact(doc)) {
            int bucket = (int) ((times.longValue() - from) / intervalNanos);
            if (bucket >= 0 && bucket < counts.length) {
              counts[bucket]++;
            }
          }
        }

        @Override
        public ScoreMode scoreMode() {
          return ScoreMode.COMPLETE_NO_SCORES;
        }
      });
      return searcher.timedOut();
    });
    List<Histogram.Bucket> buckets = new ArrayList<>(bucketCount);
    long total = 0;
    for (int i = 0; i < bucketCount; i++) {
      buckets.add(new Histogram.Bucket(from + i * intervalNanos, counts[i]));
      total += counts[i];
    }
    return new Histogram(intervalNanos, buckets, total, partial);
  }

  @Override
  public Predicate<LogEntry> matcher(LogSearch search) {
    Query query = filtered(search, false);
    QueryAnalyzer analyzer = new QueryAnalyzer();
    // the project, integration and severity are read off the record first: an in-memory index per
    // record is dear, and most records of a busy store belong to other subscribers' projects
    return entry -> search.scope().allows(entry.owner().project())
        && search.integration().map(i -> i.equals(entry.owner().integration())).orElse(true)
        && entry.severityNumber() >= search.minSeverityNumber()
        && MemoryIndex.fromDocument(documents.toDocument(entry), analyzer).search(query) > 0;
  }

  @Override
  public SortedSet<String> services(ProjectScope scope, TimeRange range) {
    Query base = Searches.scoped(scope)
        .add(LongPoint.newRangeQuery(LogDocuments.TIMESTAMP, range.fromNanos(), range.toNanos() - 1),
            BooleanClause.Occur.FILTER)
        .build();
    return Searches.run(partitions, range, searcher -> Searches.distinct(searcher, Fields.SERVICE, base));
  }

  private Query filtered(LogSearch search) {
    return filtered(search, true);
  }

  private Query filtered(LogSearch search, boolean inRange) {
    BooleanQuery.Builder query = Searches.scoped(search.scope())
        .add(queryText.parse(search.text()), BooleanClause.Occur.MUST);
    if (inRange) {
      query.add(LongPoint.newRangeQuery(LogDocuments.TIMESTAMP, search.range().fromNanos(),
          search.range().toNanos() - 1), BooleanClause.Occur.FILTER);
    }
    search.integration().ifPresent(i ->
        query.add(new TermQuery(new Term(Fields.INTEGRATION, i)), BooleanClause.Occur.FILTER));
    if (search.minSeverityNumber() > 0) {
      query.add(IntPoint.newRangeQuery(LogDocuments.SEVERITY_NUMBER, search.minSeverityNumber(), Integer.MAX_VALUE),
          BooleanClause.Occur.FILTER);
    }
    return query.build();
  }

  /** Reopens searchers so that records written so far become visible. */
  public void refresh() throws IOException {
    partitions.refresh();
  }

  /** Deletes the daily partitions before {@code firstKept}. */
  public int dropBefore(java.time.LocalDate firstKept) throws IOException {
    return partitions.dropBefore(firstKept);
  }

  @Override
  public void close() throws IOException {
    partitions.close();
  }
}
