package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.InvalidQueryException;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.TimeRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeoutImpl;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
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

  /** The values of a keyword field that occur in documents matching {@code base}. */
  static SortedSet<String> distinct(IndexSearcher searcher, String field, Query base) throws IOException {
    SortedSet<String> candidates = new TreeSet<>();
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Terms terms = leaf.reader().terms(field);
      if (terms == null) {
        continue;
      }
      TermsEnum it = terms.iterator();
      for (BytesRef term = it.next(); term != null; term = it.next()) {
        candidates.add(term.utf8ToString());
      }
    }
    SortedSet<String> present = new TreeSet<>();
    for (String value : candidates) {
      Query q = new BooleanQuery.Builder()
          .add(base, BooleanClause.Occur.FILTER)
          .add(new TermQuery(new Term(field, value)), BooleanClause.Occur.FILTER)
          .build();
      if (searcher.search(q, 1).scoreDocs.length > 0) {
        present.add(value);
      }
    }
    return present;
  }
}
