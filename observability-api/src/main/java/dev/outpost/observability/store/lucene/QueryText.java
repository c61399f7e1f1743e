package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.InvalidQueryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;

/**
 * Parses a user's query text (Lucene classic syntax) and checks it: only documented fields
 * ({@code attr.<key>} included), no leading wildcards, at most {@code maxClauses} clauses, fuzzy
 * terms of at most {@link #MAX_FUZZY_CHARS} characters.
 */
final class QueryText {

  /**
   * The longest word the full-text analyzer indexes (StandardAnalyzer's default); a fuzzy term longer
   * than that matches no word, yet its automaton cost up to 2 s of CPU for 1,000-8,000 characters.
   */
  static final int MAX_FUZZY_CHARS = 255;

  private final QueryAnalyzer analyzer = new QueryAnalyzer();
  private final String defaultField;
  private final Set<String> fields;
  private final int maxClauses;

  QueryText(String defaultField, Set<String> fields, int maxClauses) {
    this.defaultField = defaultField;
    this.fields = fields;
    this.maxClauses = maxClauses;
  }

  Query parse(String text) {
    if (text == null || text.isBlank()) {
      return new MatchAllDocsQuery();
    }
    if (text.length() > 8192) {
      throw new InvalidQueryException("query text is longer than 8192 characters");
    }
    Query query;
    try {
      QueryParser parser = new QueryParser(defaultField, analyzer);
      parser.setAllowLeadingWildcard(false);
      parser.setDefaultOperator(QueryParser.Operator.AND);
      query = parser.parse(text);
    } catch (ParseException e) {
      throw new InvalidQueryException("query text is not valid Lucene syntax: " + firstLine(e.getMessage()));
    } catch (IndexSearcher.TooManyClauses e) {
      throw new InvalidQueryException("query text has more than " + maxClauses + " clauses");
    } catch (RuntimeException e) {
      throw new InvalidQueryException("query text cannot be parsed: " + firstLine(e.getMessage()));
    }
    check(query);
    return query;
  }

  private void check(Query query) {
    Set<String> unknown = new TreeSet<>();
    Set<String> tooLong = new TreeSet<>();
    int[] clauses = {0};
    query.visit(new QueryVisitor() {
      @Override
      public boolean acceptField(String field) {
        if (!known(field)) {
          unknown.add(field);
        }
        return true;
      }

      @Override
      public void consumeTerms(Query q, Term... terms) {
        clauses[0] += terms.length;
      }

      @Override
      public void visitLeaf(Query q) {
        clauses[0]++;
        if (q instanceof FuzzyQuery fuzzy && fuzzy.getTerm().text().length() > MAX_FUZZY_CHARS) {
          tooLong.add(fuzzy.getTerm().field());
        }
      }

      @Override
      public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
        return this;
      }
    });
    if (!unknown.isEmpty()) {
      List<String> documented = new ArrayList<>(new TreeSet<>(fields));
      documented.add("attr.<key>");
      throw new InvalidQueryException("unknown field(s) " + unknown + " in query text; fields are " + documented);
    }
    if (!tooLong.isEmpty()) {
      throw new InvalidQueryException("a fuzzy term (~) in " + tooLong + " is longer than " + MAX_FUZZY_CHARS
          + " characters, the longest word indexed");
    }
    if (clauses[0] > maxClauses) {
      throw new InvalidQueryException("query text has " + clauses[0] + " clauses, more than the limit of " + maxClauses);
    }
  }

  private boolean known(String field) {
    return fields.contains(field) || (field.startsWith("attr.") && field.length() > 5);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }
}
