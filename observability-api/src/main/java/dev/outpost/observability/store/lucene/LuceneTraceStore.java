package dev.outpost.observability.store.lucene;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.store.AnswerMemory;
import dev.outpost.observability.store.Operation;
import dev.outpost.observability.store.PreparedWrite;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.ServiceGraph;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.TimeRange;
import dev.outpost.observability.store.TraceBatch;
import dev.outpost.observability.store.TraceSearch;
import dev.outpost.observability.store.TraceStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.util.BytesRef;

/** {@link TraceStore} on daily Lucene partitions (by span start) under {@code <dir>/spans}. */
public final class LuceneTraceStore implements TraceStore, Closeable {

  /** Spans read per page while collecting distinct trace ids, and the most read in all. */
  private static final int SCAN_PAGE = 1000;
  private static final int SCAN_MAX = 100_000;

  private final PartitionSet partitions;
  private final SpanDocuments documents;
  private final QueryText queryText;
  private final QueryLimits limits;

  public LuceneTraceStore(Path dir, int ramBufferMb, QueryLimits limits, ObjectMapper json) throws IOException {
    this.partitions = new PartitionSet(dir, new QueryAnalyzer(), ramBufferMb, Partition.Disk.FILES);
    this.documents = new SpanDocuments(json);
    this.queryText = new QueryText(SpanDocuments.NAME, SpanDocuments.QUERYABLE, limits.maxClauses());
    this.limits = limits;
  }

  @Override
  public PreparedWrite prepare(List<SpanEntry> spans) {
    List<Document> prepared = new ArrayList<>(spans.size());
    for (SpanEntry s : spans) {
      prepared.add(documents.toDocument(s));
    }
    return () -> {
      for (int i = 0; i < prepared.size(); i++) {
        partitions.add(spans.get(i).startNanos(), prepared.get(i));
      }
    };
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
  public TraceSpans trace(ProjectScope scope, String traceId, AnswerMemory memory) {
    Read read = read(scope, traceId, 0, memory);
    return new TraceSpans(read.spans(), read.cut());
  }

  @Override
  public TraceBatch traces(ProjectScope scope, List<String> traceIds, AnswerMemory memory) {
    // one search answer holds what one trace may, however many traces it lists: 100 traces of 16 MiB
    // each would otherwise be held at once
    long used = 0;
    List<List<SpanEntry>> found = new ArrayList<>();
    for (String id : traceIds) {
      if (used >= limits.maxPageChars()) {
        return new TraceBatch(found, true, false);
      }
      Read trace = read(scope, id, used, memory);
      if (trace.spans().isEmpty()) {
        continue;
      }
      // a trace after the first is listed whole and within the budget and memory, or not at all
      long total = used + trace.chars();
      boolean fits = total <= limits.maxPageChars() && total <= memory.grant(total);
      if ((trace.cut() || !fits) && !found.isEmpty()) {
        return new TraceBatch(found, true, false);
      }
      found.add(trace.spans());
      used += trace.chars();
      if (trace.cut()) {
        return new TraceBatch(found, true, true);
      }
    }
    return new TraceBatch(found, false, false);
  }

  /** A trace's spans read within a budget, the characters of stored JSON they hold, and whether spans were left. */
  private record Read(List<SpanEntry> spans, long chars, boolean cut) {}

  /** Reads a trace into an answer already holding {@code used} characters, within its budget and {@code memory}. */
  private Read read(ProjectScope scope, String traceId, long used, AnswerMemory memory) {
    Query query = Searches.scoped(scope)
        .add(new TermQuery(new Term(Fields.TRACE_ID, traceId)), BooleanClause.Occur.FILTER)
        .build();
    Read read = Searches.run(partitions, null, searcher -> {
      Searches.budget(searcher, limits.timeBudgetMillis());
      TopFieldDocs top = searcher.search(query, limits.maxTraceSpans(), SpanDocuments.EARLIEST_FIRST);
      StoredFields stored = searcher.storedFields();
      List<SpanEntry> found = new ArrayList<>(top.scoreDocs.length);
      // like a page of logs, an answer holds at most about maxPageChars of spans (their stored JSON);
      // the earliest span is always returned
      long chars = 0;
      // a span delivered twice (an exporter retrying an export whose answer it missed) is listed once
      Set<SpanEntry> seen = new HashSet<>();
      for (ScoreDoc hit : top.scoreDocs) {
        BytesRef source = stored.document(hit.doc).getBinaryValue(Fields.SOURCE);
        SpanEntry span = documents.fromSource(source.bytes, source.offset, source.length);
        if (!seen.add(span.withSeq(0))) {
          continue;
        }
        long total = used + chars + source.length;
        if ((total > limits.maxPageChars() || total > memory.grant(total)) && !found.isEmpty()) {
          return new Read(found, chars, true);
        }
        chars += source.length;
        found.add(span);
      }
      // a search stopped by the time budget counts only the hits it collected
      return new Read(found, chars, top.totalHits.value > top.scoreDocs.length || searcher.timedOut());
    });
    read.spans().sort(Comparator.comparingLong(SpanEntry::startNanos).thenComparingLong(SpanEntry::seq));
    return read;
  }

  @Override
  public FoundTraces findTraceIds(TraceSearch search) {
    BooleanQuery.Builder builder = Searches.scoped(search.scope())
        .add(queryText.parse(search.text()), BooleanClause.Occur.MUST)
        .add(LongPoint.newRangeQuery(SpanDocuments.START, search.range().fromNanos(), search.range().toNanos() - 1),
            BooleanClause.Occur.FILTER);
    search.service().ifPresent(s -> builder.add(new TermQuery(new Term(Fields.SERVICE, s)), BooleanClause.Occur.FILTER));
    search.operation().ifPresent(o ->
        builder.add(new TermQuery(new Term(SpanDocuments.NAME, o)), BooleanClause.Occur.FILTER));
    search.attributes().forEach((k, v) ->
        builder.add(new TermQuery(new Term(Fields.ATTR + k, v)), BooleanClause.Occur.FILTER));
    long min = search.minDuration().map(d -> d.toNanos()).orElse(Long.MIN_VALUE);
    long max = search.maxDuration().map(d -> d.toNanos()).orElse(Long.MAX_VALUE);
    if (min != Long.MIN_VALUE || max != Long.MAX_VALUE) {
      builder.add(LongPoint.newRangeQuery(SpanDocuments.DURATION, min, max), BooleanClause.Occur.FILTER);
    }
    Query query = builder.build();
    return Searches.run(partitions, search.range(), searcher -> {
      Set<String> ids = new LinkedHashSet<>();
      if (searcher.getIndexReader().maxDoc() == 0) {
        return new FoundTraces(List.of(), false);
      }
      Searches.budget(searcher, limits.timeBudgetMillis());
      boolean complete = false;
      StoredFields stored = searcher.storedFields();
      Set<String> traceIdOnly = Set.of(Fields.TRACE_ID);
      FieldDoc after = null;
      for (int scanned = 0; ids.size() < search.limit() && scanned < SCAN_MAX; scanned += SCAN_PAGE) {
        TopDocs page = after == null
            ? searcher.search(query, SCAN_PAGE, SpanDocuments.NEWEST_FIRST)
            : searcher.searchAfter(after, query, SCAN_PAGE, SpanDocuments.NEWEST_FIRST);
        for (ScoreDoc hit : page.scoreDocs) {
          ids.add(stored.document(hit.doc, traceIdOnly).get(Fields.TRACE_ID));
          if (ids.size() == search.limit()) {
            break;
          }
        }
        if (searcher.timedOut()) {
          break;
        }
        if (page.scoreDocs.length < SCAN_PAGE || ids.size() == search.limit()) {
          complete = true;
          break;
        }
        after = (FieldDoc) page.scoreDocs[page.scoreDocs.length - 1];
      }
      return new FoundTraces(List.copyOf(ids), !complete);
    });
  }

  @Override
  public SortedSet<String> services(ProjectScope scope, TimeRange range) {
    Query base = inRange(scope, range).build();
    return Searches.run(partitions, range, searcher -> Searches.distinct(searcher, Fields.SERVICE, base, deadline()));
  }

  @Override
  public SortedSet<LocalDate> unreadableDays(TimeRange range) {
    return partitions.unreadable(range);
  }

  /**
   * How long before a graph's range a parent may have started and still be found: a call's span
   * starts after its caller's, and the calls in the range of a caller started before this count none.
   */
  static final long PARENT_SLACK_NANOS = TimeUnit.MINUTES.toNanos(15);

  @Override
  public ServiceGraph serviceGraph(ProjectScope scope, TimeRange range, AnswerMemory memory) {
    long length = range.toNanos() - range.fromNanos();
    // a range at the earliest representable time: its length overflows, and there is nothing before it
    long slack = length < 0 ? 0 : Math.min(PARENT_SLACK_NANOS, length);
    long from = range.fromNanos() < Long.MIN_VALUE + slack ? Long.MIN_VALUE : range.fromNanos() - slack;
    TimeRange withParents = new TimeRange(from, range.toNanos());
    // a project at a time: a parent is looked for among its child's project's spans only
    List<Query> projects = scope.projects().stream().sorted()
        .map(project -> (Query) inRange(new ProjectScope(Set.of(project)), withParents).build()).toList();
    return Searches.run(partitions, withParents, searcher ->
        new ServiceGraphScan(range, deadline(), memory, limits.maxPageChars()).scan(searcher, projects));
  }

  @Override
  public List<Operation> operations(ProjectScope scope, TimeRange range, String service, String kind) {
    BooleanQuery.Builder base = inRange(scope, range)
        .add(new TermQuery(new Term(Fields.SERVICE, service)), BooleanClause.Occur.FILTER);
    if (kind != null && !kind.isBlank()) {
      base.add(new TermQuery(new Term(SpanDocuments.KIND, kind)), BooleanClause.Occur.FILTER);
    }
    Query serviceSpans = base.build();
    return Searches.run(partitions, range, searcher ->
        Searches.distinctPairs(searcher, SpanDocuments.NAME, SpanDocuments.KIND, serviceSpans, deadline()).stream()
            .map(pair -> new Operation(pair.getKey(), pair.getValue())).toList());
  }

  private long deadline() {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.timeBudgetMillis());
  }

  private static BooleanQuery.Builder inRange(ProjectScope scope, TimeRange range) {
    return Searches.scoped(scope)
        .add(LongPoint.newRangeQuery(SpanDocuments.START, range.fromNanos(), range.toNanos() - 1),
            BooleanClause.Occur.FILTER);
  }

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
