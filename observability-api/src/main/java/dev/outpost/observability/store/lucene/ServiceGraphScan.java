package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.AnswerMemory;
import dev.outpost.observability.store.QueryTimedOutException;
import dev.outpost.observability.store.ServiceGraph;
import dev.outpost.observability.store.ServiceLink;
import dev.outpost.observability.store.TimeRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.internal.hppc.IntArrayList;
import org.apache.lucene.internal.hppc.LongArrayList;
import org.apache.lucene.internal.hppc.LongIntHashMap;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;

/**
 * Counts the calls between services among the spans of each project's query, as Jaeger's own stores
 * do: a span whose parent span is found among its own project's, and is of another service, is one
 * call of the parent's service to its own. A span whose parent is not among them (a root, a parent
 * of another project, also for a caller who reads both, one from before the scan, one not stored)
 * counts nothing: an integration that learnt a trace id can send spans into it, which would draw
 * calls its project never received.
 *
 * <p>One pass over each project's spans' doc values: each span's key goes into a map to its service,
 * and each span that started in the range and has a parent is kept as (parent's key, service); the
 * parents are looked up at the project's end. What the map and the list take is held in the answer's memory,
 * and the scan stops, its graph partial, when more is refused, past the answer's own budget, or
 * when the time budget is spent; stopped before it counted a call, it is a {@link
 * QueryTimedOutException} (a 503), not an empty graph.
 */
final class ServiceGraphScan {

  /** Spans between two looks at the clock and the memory. */
  private static final int CHECK_EVERY = 1024;
  /** A link's JSON and objects besides its two names, in characters. */
  private static final int LINK_CHARS = 64;

  private final TimeRange children;
  private final long deadlineNanos;
  private final AnswerMemory memory;
  private final long maxChars;

  private final Map<String, Integer> serviceIndex = new HashMap<>();
  private final List<String> services = new ArrayList<>();
  private long serviceChars;
  private final LongIntHashMap serviceOfSpan = new LongIntHashMap();
  private final LongArrayList parentKeys = new LongArrayList();
  private final IntArrayList childServices = new IntArrayList();
  /** Calls counted in the projects scanned so far, by pair of services (the caller's index, the called's). */
  private final Map<Long, Long> calls = new HashMap<>();
  private int seen;
  private boolean partial;

  /**
   * @param children the range a span counts in when it started in it (its parent may be older)
   * @param maxChars the answer's own budget ({@code query.max-page-bytes}), in the characters {@code
   *     memory} counts: two bytes each
   */
  ServiceGraphScan(TimeRange children, long deadlineNanos, AnswerMemory memory, long maxChars) {
    this.children = children;
    this.deadlineNanos = deadlineNanos;
    this.memory = memory;
    this.maxChars = maxChars;
  }

  /** @param projects one query per project, each matching that project's spans only */
  ServiceGraph scan(IndexSearcher searcher, List<Query> projects) throws IOException {
    for (Query spans : projects) {
      if (!scanProject(searcher, spans)) {
        List<ServiceLink> counted = links();
        if (counted.isEmpty()) {
          // an empty graph would read as "no calls"
          throw new QueryTimedOutException("the service graph needs more time or memory than a query has;"
              + " shorten its lookback");
        }
        return new ServiceGraph(counted, true);
      }
      countCalls();
    }
    return new ServiceGraph(links(), partial);
  }

  /** Reads one project's spans; false when a budget stopped it. */
  private boolean scanProject(IndexSearcher searcher, Query spans) throws IOException {
    Weight weight = searcher.createWeight(searcher.rewrite(spans), ScoreMode.COMPLETE_NO_SCORES, 1);
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Scorer scorer = weight.scorer(leaf);
      if (scorer == null) {
        continue;
      }
      LeafReader reader = leaf.reader();
      if (reader.getFieldInfos().fieldInfo(SpanDocuments.SPAN_KEY) == null) {
        // spans stored before the graph was kept
        partial = true;
        continue;
      }
      NumericDocValues keys = DocValues.getNumeric(reader, SpanDocuments.SPAN_KEY);
      NumericDocValues parents = DocValues.getNumeric(reader, SpanDocuments.PARENT_KEY);
      NumericDocValues starts = DocValues.getNumeric(reader, SpanDocuments.START);
      SortedDocValues names = DocValues.getSorted(reader, SpanDocuments.SERVICE_VALUE);
      int[] serviceOfOrd = new int[names.getValueCount()];
      Arrays.fill(serviceOfOrd, -1);
      Bits live = reader.getLiveDocs();
      DocIdSetIterator docs = scorer.iterator();
      for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        if (++seen % CHECK_EVERY == 0 && !withinBudgets()) {
          return false;
        }
        if (!keys.advanceExact(doc)) {
          // stored before the graph was kept, in a segment merged with newer ones
          partial = true;
          continue;
        }
        if (!names.advanceExact(doc)) {
          continue;
        }
        int ord = names.ordValue();
        if (serviceOfOrd[ord] < 0) {
          serviceOfOrd[ord] = service(names.lookupOrd(ord).utf8ToString());
        }
        serviceOfSpan.put(keys.longValue(), serviceOfOrd[ord]);
        if (parents.advanceExact(doc) && starts.advanceExact(doc)
            && starts.longValue() >= children.fromNanos() && starts.longValue() < children.toNanos()) {
          parentKeys.add(parents.longValue());
          childServices.add(serviceOfOrd[ord]);
        }
      }
    }
    return true;
  }

  /** Looks up the parents of the project just read, then lets go of its spans: the next one's are not theirs. */
  private void countCalls() {
    for (int i = 0; i < parentKeys.size(); i++) {
      int parent = serviceOfSpan.getOrDefault(parentKeys.get(i), -1);
      int child = childServices.get(i);
      if (parent >= 0 && parent != child) {
        calls.merge((long) parent << 32 | child, 1L, Long::sum);
      }
    }
    serviceOfSpan.clear();
    parentKeys.clear();
    childServices.clear();
  }

  private int service(String name) {
    return serviceIndex.computeIfAbsent(name, n -> {
      services.add(n);
      serviceChars += n.length() + 32;
      return services.size() - 1;
    });
  }

  private boolean withinBudgets() {
    long chars = heldChars();
    return System.nanoTime() - deadlineNanos < 0 && chars <= maxChars && memory.grant(chars) >= chars;
  }

  /** What the scan holds, in the characters {@link AnswerMemory} counts (two bytes each). */
  private long heldChars() {
    return (serviceOfSpan.ramBytesUsed() + parentKeys.ramBytesUsed() + childServices.ramBytesUsed()) / 2
        + serviceChars;
  }

  /**
   * Each pair of services once, with its calls, the most first, as many as the answer's budgets hold
   * (each link's names are written out in the answer, a million times a long name otherwise): past
   * them the rest are left out, partial.
   */
  private List<ServiceLink> links() {
    countCalls();
    List<ServiceLink> sorted = calls.entrySet().stream()
        .map(call -> new ServiceLink(services.get((int) (call.getKey() >>> 32)),
            services.get((int) (call.getKey() & 0xffffffffL)), call.getValue()))
        .sorted(Comparator.comparingLong(ServiceLink::callCount).reversed()
            .thenComparing(ServiceLink::parent).thenComparing(ServiceLink::child))
        .toList();
    // in the share the scan holds, which it no longer needs once the links are made, or more
    long chars = 0;
    for (int i = 0; i < sorted.size(); i++) {
      chars += sorted.get(i).parent().length() + sorted.get(i).child().length() + LINK_CHARS;
      if (chars > maxChars || memory.grant(chars) < chars) {
        if (i == 0) {
          throw new QueryTimedOutException("the service graph needs more memory than a query has now; retry,"
              + " or shorten its lookback");
        }
        partial = true;
        return sorted.subList(0, i);
      }
    }
    return sorted;
  }
}
