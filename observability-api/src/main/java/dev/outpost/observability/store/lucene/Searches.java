package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.InvalidQueryException;
import dev.outpost.observability.store.QueryTimedOutException;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.TimeRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.QueryTimeoutImpl;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/** What every search does: the project filter, the time budget, query errors as 400s. */
final class Searches {

  private Searches() {}

  /** The filter every read carries: the only projects the caller may see. */
  static Query projectFilter(ProjectScope scope) {
    return new TermInSetQuery(Fields.PROJECT, scope.projects().stream().map(BytesRef::new).toList());
  }

  static BooleanQuery.Builder scoped(ProjectScope scope) {
    return new BooleanQuery.Builder().add(projectFilter(scope), BooleanClause.Occur.FILTER);
  }

  static void budget(IndexSearcher searcher, long millis) {
    searcher.setTimeout(new QueryTimeoutImpl(millis));
  }

  /**
   * Runs a read over the partitions of {@code range} (all when null), turning I/O failures into
   * unchecked ones and over-expensive expansions into 400s.
   */
  static <T> T run(PartitionSet set, TimeRange range, PartitionSet.SearchWork<T> work) {
    try {
      return range == null ? set.searchAll(work) : set.search(range, work);
    } catch (IndexSearcher.TooManyClauses e) {
      throw new InvalidQueryException("query expands to too many terms; make wildcards or ranges narrower");
    } catch (TooComplexToDeterminizeException e) {
      throw new InvalidQueryException("query has a regular expression or wildcard that is too complex");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The values of a keyword field that occur in documents matching {@code base}, at most a {@link
   * Listing}'s. The field's terms
   * span every project (a partition is shared), so each term's postings are read against the
   * matching documents rather than searched for: a search per term cost seconds once another
   * project had 200,000 distinct span names.
   */
  static SortedSet<String> distinct(IndexSearcher searcher, String field, Query base, long deadlineNanos)
      throws IOException {
    Weight weight = searcher.createWeight(searcher.rewrite(base), ScoreMode.COMPLETE_NO_SCORES, 1);
    Listing<String> present = Listing.ofNames();
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Terms terms = leaf.reader().terms(field);
      FixedBitSet matching = terms == null ? null : matching(weight, leaf);
      if (matching == null) {
        continue;
      }
      TermsEnum it = terms.iterator();
      PostingsEnum postings = null;
      int read = 0;
      for (BytesRef term = it.next(); term != null; term = it.next()) {
        checkDeadline(++read, deadlineNanos);
        postings = it.postings(postings, PostingsEnum.NONE);
        for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
          if (matching.get(doc)) {
            present.add(term.utf8ToString());
            break;
          }
        }
      }
    }
    return present.values();
  }

  /**
   * The pairs of values of two keyword fields that occur in the same document among those matching
   * {@code base} (a document holds one value of each), first value then second, sorted, at most a
   * {@link Listing}'s. Each
   * field's postings are read once: asking {@link #distinct} for the second field once per value of
   * the first read all of the second field's postings, every project's, once per value.
   */
  static SortedSet<Map.Entry<String, String>> distinctPairs(IndexSearcher searcher, String first, String second,
      Query base, long deadlineNanos) throws IOException {
    Weight weight = searcher.createWeight(searcher.rewrite(base), ScoreMode.COMPLETE_NO_SCORES, 1);
    Listing<Map.Entry<String, String>> pairs = Listing.ofPairs();
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Terms firstTerms = leaf.reader().terms(first);
      Terms secondTerms = leaf.reader().terms(second);
      FixedBitSet matching = firstTerms == null || secondTerms == null ? null : matching(weight, leaf);
      if (matching == null) {
        continue;
      }
      Map<String, FixedBitSet> bySecond = docsByTerm(secondTerms, matching, leaf.reader().maxDoc());
      TermsEnum it = firstTerms.iterator();
      PostingsEnum postings = null;
      int read = 0;
      for (BytesRef term = it.next(); term != null; term = it.next()) {
        checkDeadline(++read, deadlineNanos);
        String value = null;
        postings = it.postings(postings, PostingsEnum.NONE);
        for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
          if (!matching.get(doc)) {
            continue;
          }
          value = value == null ? term.utf8ToString() : value;
          for (Map.Entry<String, FixedBitSet> s : bySecond.entrySet()) {
            if (s.getValue().get(doc)) {
              pairs.add(Map.entry(value, s.getKey()));
            }
          }
        }
      }
    }
    return pairs.values();
  }

  /**
   * Listings walk every term of a field, which every project shares, so another project's hundreds
   * of thousands of span names made one listing take seconds with no bound: past the deadline it
   * ends with a 503 rather than a partial list that would read as complete.
   */
  private static void checkDeadline(int termsRead, long deadlineNanos) {
    if ((termsRead & 255) == 0 && System.nanoTime() - deadlineNanos > 0) {
      throw new QueryTimedOutException("the listing took longer than the query time budget; narrow its time range");
    }
  }

  /** For each term of a field, the matching documents that hold it; terms in none are left out. */
  private static Map<String, FixedBitSet> docsByTerm(Terms terms, FixedBitSet matching, int maxDoc)
      throws IOException {
    Map<String, FixedBitSet> byTerm = new TreeMap<>();
    TermsEnum it = terms.iterator();
    PostingsEnum postings = null;
    for (BytesRef term = it.next(); term != null; term = it.next()) {
      FixedBitSet docs = null;
      postings = it.postings(postings, PostingsEnum.NONE);
      for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
        if (matching.get(doc)) {
          docs = docs == null ? new FixedBitSet(maxDoc) : docs;
          docs.set(doc);
        }
      }
      if (docs != null) {
        byTerm.put(term.utf8ToString(), docs);
      }
    }
    return byTerm;
  }

  /** The live documents of a leaf that {@code weight} matches, or null when none. */
  private static FixedBitSet matching(Weight weight, LeafReaderContext leaf) throws IOException {
    Scorer scorer = weight.scorer(leaf);
    if (scorer == null) {
      return null;
    }
    Bits live = leaf.reader().getLiveDocs();
    FixedBitSet matching = new FixedBitSet(leaf.reader().maxDoc());
    DocIdSetIterator docs = scorer.iterator();
    boolean any = false;
    for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
      if (live == null || live.get(doc)) {
        matching.set(doc);
        any = true;
      }
    }
    return any ? matching : null;
  }
}
