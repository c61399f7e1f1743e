package dev.outpost.observability.store.lucene;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.index.Term;
import org.apache.lucene.queries.intervals.IntervalQuery;
import org.apache.lucene.queries.intervals.Intervals;
import org.apache.lucene.queries.intervals.IntervalsSource;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.MultiPhraseQuery;
import org.apache.lucene.search.MultiTermQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.SynonymQuery;
import org.apache.lucene.search.TermQuery;

/** A record query turned into what the blocks holding its matches match ({@link LogBlocks}). */
final class BlockQueries {

  private BlockQueries() {}

  /**
   * A query that matches every block holding a record {@code q} matches. Term-level queries carry
   * over, since a block holds the union of its records' terms, and so do phrases, which cannot
   * cross from one record's body into the next; negations, which need one record to lack a term,
   * are dropped, and the exact check per record decides.
   */
  static Query widen(Query q) {
    if (q instanceof TermQuery || q instanceof MultiTermQuery || q instanceof SynonymQuery
        || q instanceof MatchAllDocsQuery || q instanceof MatchNoDocsQuery) {
      return q;
    }
    if (q instanceof BoostQuery boost) {
      return widen(boost.getQuery());
    }
    if (q instanceof ConstantScoreQuery constant) {
      return widen(constant.getQuery());
    }
    if (q instanceof BooleanQuery bool) {
      BooleanQuery.Builder out = new BooleanQuery.Builder()
          .setMinimumNumberShouldMatch(bool.getMinimumNumberShouldMatch());
      boolean positive = false;
      for (BooleanClause clause : bool.clauses()) {
        if (clause.getOccur() != BooleanClause.Occur.MUST_NOT) {
          out.add(widen(clause.getQuery()), clause.getOccur());
          positive = true;
        }
      }
      if (!positive) {
        return new MatchNoDocsQuery(); // prohibitions alone match nothing in Lucene
      }
      Query together = requiredBodyTermsInOneRecord(bool);
      if (together != null) {
        out.add(together, BooleanClause.Occur.FILTER);
      }
      return out.build();
    }
    if (q instanceof PhraseQuery || q instanceof MultiPhraseQuery) {
      return q; // bodies are indexed with positions, and a gap between records (QueryAnalyzer)
    }
    // anything else the parser may build: every block is a candidate, the record check decides
    return new MatchAllDocsQuery();
  }

  /**
   * For two or more body words the query requires, blocks where one record's body holds them all:
   * they lie less than {@link QueryAnalyzer#RECORD_GAP} positions apart only within one record.
   * A block with a body that long is always a candidate. Null when fewer than two.
   */
  private static Query requiredBodyTermsInOneRecord(BooleanQuery bool) {
    Set<String> words = new LinkedHashSet<>();
    for (BooleanClause clause : bool.clauses()) {
      if (clause.isRequired() && clause.getQuery() instanceof TermQuery term
          && LogDocuments.BODY.equals(term.getTerm().field())) {
        words.add(term.getTerm().text());
      }
    }
    if (words.size() < 2) {
      return null;
    }
    IntervalsSource all = Intervals.unordered(words.stream().map(Intervals::term).toArray(IntervalsSource[]::new));
    return new BooleanQuery.Builder()
        .add(new IntervalQuery(LogDocuments.BODY, Intervals.maxwidth(QueryAnalyzer.RECORD_GAP, all)),
            BooleanClause.Occur.SHOULD)
        .add(new TermQuery(new Term(LogBlocks.LONG_BODIES, "true")), BooleanClause.Occur.SHOULD)
        .build();
  }

  /**
   * Body terms every record matching {@code q} holds: a cheap test (the lower-cased body contains
   * each) that spares most records the exact check. Only ASCII terms, whose presence after
   * lower-casing is a plain substring test.
   */
  static List<String> requiredBodyTerms(Query q) {
    List<String> out = new ArrayList<>();
    collectRequired(q, out);
    return out;
  }

  private static void collectRequired(Query q, List<String> out) {
    if (q instanceof TermQuery term) {
      addIfBody(term.getTerm(), out);
    } else if (q instanceof PhraseQuery phrase) {
      for (Term t : phrase.getTerms()) {
        addIfBody(t, out);
      }
    } else if (q instanceof BoostQuery boost) {
      collectRequired(boost.getQuery(), out);
    } else if (q instanceof ConstantScoreQuery constant) {
      collectRequired(constant.getQuery(), out);
    } else if (q instanceof BooleanQuery bool) {
      for (BooleanClause clause : bool.clauses()) {
        if (clause.isRequired()) {
          collectRequired(clause.getQuery(), out);
        }
      }
    }
  }

  private static void addIfBody(Term term, List<String> out) {
    String text = term.text();
    if (LogDocuments.BODY.equals(term.field()) && !text.isEmpty() && text.chars().allMatch(c -> c < 128)) {
      out.add(text);
    }
  }
}
