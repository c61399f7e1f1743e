package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.LogEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * Whether one log record matches a parsed query text: the exact test behind every block match.
 * Terms joined by boolean operators, the common case, are tested on the record's own terms; any
 * other query (phrases, wildcards, ranges) runs on an in-memory index of the record, as Lucene
 * would run it on a document of its own.
 */
final class RecordCheck {

  private RecordCheck() {}

  static Predicate<LogEntry> of(Query query) {
    if (query instanceof MatchAllDocsQuery) {
      return e -> true;
    }
    List<String> required = BlockQueries.requiredBodyTerms(query);
    QueryAnalyzer analyzer = new QueryAnalyzer();
    Predicate<RecordTerms> terms = onTerms(query);
    // the substring test first turns most records away for a fraction of a microsecond
    if (terms != null) {
      return e -> containsAll(e.body(), required) && terms.test(new RecordTerms(e, analyzer));
    }
    return e -> containsAll(e.body(), required) && matchesAlone(e, query, analyzer);
  }

  /**
   * Whether Lucene matches the record's own document, counted without scores: a boost weighs the
   * score only, and {@code edg*^0} scores a match 0 ({@link MemoryIndex#search} tells none from 0).
   */
  private static boolean matchesAlone(LogEntry e, Query query, Analyzer analyzer) {
    try {
      return MemoryIndex.fromDocument(LogDocuments.toDocument(e), analyzer).createSearcher().count(query) > 0;
    } catch (IOException x) {
      throw new UncheckedIOException("an in-memory index failed to read", x);
    }
  }

  /** The query as a test of a record's terms, or null when it is more than terms and booleans. */
  private static Predicate<RecordTerms> onTerms(Query q) {
    if (q instanceof TermQuery term) {
      String field = term.getTerm().field();
      String text = term.getTerm().text();
      return r -> r.has(field, text);
    }
    if (q instanceof MatchAllDocsQuery) {
      return r -> true;
    }
    if (q instanceof MatchNoDocsQuery) {
      return r -> false;
    }
    if (q instanceof BoostQuery boost) {
      return onTerms(boost.getQuery());
    }
    if (q instanceof ConstantScoreQuery constant) {
      return onTerms(constant.getQuery());
    }
    if (q instanceof BooleanQuery bool) {
      List<Predicate<RecordTerms>> required = new ArrayList<>();
      List<Predicate<RecordTerms>> prohibited = new ArrayList<>();
      List<Predicate<RecordTerms>> optional = new ArrayList<>();
      for (BooleanClause clause : bool.clauses()) {
        Predicate<RecordTerms> p = onTerms(clause.getQuery());
        if (p == null) {
          return null;
        }
        switch (clause.getOccur()) {
          case MUST, FILTER -> required.add(p);
          case MUST_NOT -> prohibited.add(p);
          case SHOULD -> optional.add(p);
        }
      }
      // Lucene's rules: without required clauses at least one optional one must match, and a
      // query of prohibitions alone matches nothing
      int minShould = bool.getMinimumNumberShouldMatch() > 0 ? bool.getMinimumNumberShouldMatch()
          : required.isEmpty() ? 1 : 0;
      return r -> {
        for (Predicate<RecordTerms> p : required) {
          if (!p.test(r)) {
            return false;
          }
        }
        for (Predicate<RecordTerms> p : prohibited) {
          if (p.test(r)) {
            return false;
          }
        }
        int matched = 0;
        for (int i = 0; i < optional.size() && matched < minShould; i++) {
          if (optional.get(i).test(r)) {
            matched++;
          }
        }
        return matched >= minShould;
      };
    }
    return null;
  }

  /** A record's terms as its document would hold them, worked out when first asked for. */
  private static final class RecordTerms {
    private final LogEntry entry;
    private final Analyzer analyzer;
    private Set<String> bodyTokens;
    private Map<String, Set<String>> keywords;

    RecordTerms(LogEntry entry, Analyzer analyzer) {
      this.entry = entry;
      this.analyzer = analyzer;
    }

    boolean has(String field, String text) {
      if (LogDocuments.BODY.equals(field)) {
        return bodyTokens().contains(text);
      }
      if (keywords == null) {
        keywords = new HashMap<>();
        LogDocuments.keywords(entry, (name, value) -> keywords.computeIfAbsent(name, k -> new HashSet<>()).add(value));
      }
      Set<String> values = keywords.get(field);
      return values != null && values.contains(text);
    }

    private Set<String> bodyTokens() {
      if (bodyTokens == null) {
        bodyTokens = new HashSet<>();
        if (entry.body() != null) {
          LogDocuments.addBodyTokens(analyzer, entry.body(), bodyTokens);
        }
      }
      return bodyTokens;
    }
  }

  /**
   * Whether the body, lower-cased char by char as Lucene's LowerCaseFilter does (not
   * {@link String#toLowerCase}, which turns some letters into two chars), contains every term.
   */
  static boolean containsAll(String body, List<String> terms) {
    if (terms.isEmpty()) {
      return true;
    }
    if (body == null) {
      return false;
    }
    char[] lower = new char[body.length()];
    for (int i = 0; i < lower.length; i++) {
      lower[i] = Character.toLowerCase(body.charAt(i));
    }
    String folded = new String(lower);
    for (String term : terms) {
      if (!folded.contains(term)) {
        return false;
      }
    }
    return true;
  }
}
