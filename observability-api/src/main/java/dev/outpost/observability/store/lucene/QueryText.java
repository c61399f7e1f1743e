package dev.outpost.observability.store.lucene;

import java.io.StringReader;
import org.apache.lucene.queryparser.charstream.FastCharStream;
import org.apache.lucene.queryparser.classic.QueryParserConstants;
import org.apache.lucene.queryparser.classic.QueryParserTokenManager;
import org.apache.lucene.queryparser.classic.Token;
import org.apache.lucene.queryparser.classic.TokenMgrError;
import dev.outpost.observability.store.InvalidQueryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.RegexpQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;

/**
 * Parses a user's query text (Lucene classic syntax) and checks it: only documented fields
 * ({@code attr.<key>} included), at most {@code maxClauses} clauses and {@link #MAX_DEPTH} levels
 * of parentheses, and nothing whose terms are expanded over the term dictionary, which every project
 * shares, where that could tell one project of another's words or cost unbounded time before the
 * time budget applies: no fuzzy terms (their expansion keeps the closest terms of every project and
 * counts against the clause limit, so a 400 or a 200 told whether a word, a trace id or a project
 * existed anywhere; and each record's check rebuilt their automata, a third of a second per record),
 * no regular expressions, no leading wildcards, no prefix or wildcard of fewer than {@link
 * #MIN_PREFIX_CHARS} characters before its first wildcard, and ranges only on low-cardinality fields
 * (not the full text, ids or attributes).
 */
final class QueryText {

  /** The fewest characters before a wildcard: {@code p*} listed a sixth of every project's words. */
  static final int MIN_PREFIX_CHARS = 2;
  /**
   * Deepest nesting of parentheses: the classic parser recurses per level, and a few thousand
   * levels (within the 8192 characters allowed) overflowed its stack, answered 500.
   */
  static final int MAX_DEPTH = 32;

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
    if (depth(text) > MAX_DEPTH) {
      throw new InvalidQueryException("query text nests parentheses more than " + MAX_DEPTH + " deep");
    }
    Query query;
    try {
      QueryParser parser = new EverythingButParser(defaultField, analyzer);
      parser.setAllowLeadingWildcard(false);
      parser.setDefaultOperator(QueryParser.Operator.AND);
      query = parser.parse(text);
    } catch (ParseException e) {
      throw new InvalidQueryException("query text is not valid Lucene syntax: " + firstLine(e.getMessage()));
    } catch (IndexSearcher.TooManyClauses e) {
      throw new InvalidQueryException("query text has more than " + maxClauses + " clauses");
    } catch (RuntimeException e) {
      throw new InvalidQueryException("query text cannot be parsed: " + firstLine(e.getMessage()));
    } catch (StackOverflowError e) {
      // the depth check should have refused it; a 500 would be the client's mistake told as ours
      throw new InvalidQueryException("query text nests too deep to be parsed");
    }
    check(query);
    return query;
  }

  /**
   * Reads a group of negations alone ({@code NOT debug}, {@code -a -b}) as "every record but", as
   * Elasticsearch's query_string does at each level: Lucene's parser makes it a query that matches
   * nothing, and a user asking for everything but health checks got an empty answer.
   */
  private static final class EverythingButParser extends QueryParser {

    EverythingButParser(String field, org.apache.lucene.analysis.Analyzer analyzer) {
      super(field, analyzer);
    }

    @Override
    protected Query getBooleanQuery(List<BooleanClause> clauses) throws ParseException {
      if (clauses.isEmpty() || clauses.stream().anyMatch(c -> c.getOccur() != BooleanClause.Occur.MUST_NOT)) {
        return super.getBooleanQuery(clauses);
      }
      List<BooleanClause> everythingBut = new ArrayList<>(clauses);
      everythingBut.add(new BooleanClause(new MatchAllDocsQuery(), BooleanClause.Occur.MUST));
      return super.getBooleanQuery(everythingBut);
    }
  }

  private void check(Query query) {
    Set<String> unknown = new TreeSet<>();
    Set<String> scansEveryWord = new TreeSet<>();
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
        if (q instanceof FuzzyQuery) {
          scansEveryWord.add("a fuzzy term (~)");
        } else if (q instanceof RegexpQuery) {
          scansEveryWord.add("a regular expression (/.../)");
        } else if (q instanceof TermRangeQuery range && !rangeable(range.getField())) {
          scansEveryWord.add("a range on " + range.getField());
        } else if (q instanceof PrefixQuery prefix && prefix.getPrefix().text().length() < MIN_PREFIX_CHARS) {
          scansEveryWord.add("a prefix of fewer than " + MIN_PREFIX_CHARS + " characters (" + prefix.getPrefix().text() + "*)");
        } else if (q instanceof WildcardQuery wildcard && literalPrefix(wildcard.getTerm().text()) < MIN_PREFIX_CHARS) {
          scansEveryWord.add("a wildcard with fewer than " + MIN_PREFIX_CHARS + " characters before it ("
              + wildcard.getTerm().text() + ")");
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
    if (hasSeverityRange(query)) {
      // severity is kept as the record's text: WARN sorts after ERROR, and a range would compare names
      throw new InvalidQueryException("query text has a range on severity, which would compare the names of levels,"
          + " not the levels (WARN sorts after ERROR): use the severity parameter, the lowest level to include");
    }
    if (!scansEveryWord.isEmpty()) {
      // its terms are expanded over words every project shares, before the time budget applies
      throw new InvalidQueryException("query text has " + String.join(" and ", scansEveryWord)
          + ", which would scan the words of every project; use words, \"phrases\", prefix* (at least "
          + MIN_PREFIX_CHARS + " characters) or several words joined by OR instead");
    }
    if (clauses[0] > maxClauses) {
      throw new InvalidQueryException("query text has " + clauses[0] + " clauses, more than the limit of " + maxClauses);
    }
  }

  /** Found by structure: a reversed range is an empty automaton, which the query visitor never visits. */
  private static boolean hasSeverityRange(Query query) {
    if (query instanceof TermRangeQuery range) {
      return range.getField().equals(LogDocuments.SEVERITY);
    }
    if (query instanceof BooleanQuery bool) {
      return bool.clauses().stream().anyMatch(clause -> hasSeverityRange(clause.getQuery()));
    }
    return query instanceof BoostQuery boost && hasSeverityRange(boost.getQuery());
  }

  /**
   * The deepest nesting of parentheses, counted on the parser's own tokens: a scan of the text
   * could be led astray (a quote inside a range bound opens no phrase to the parser, and every
   * parenthesis after it went uncounted). The tokenizer does not recurse.
   */
  static int depth(String text) {
    QueryParserTokenManager tokens = new QueryParserTokenManager(new FastCharStream(new StringReader(text)));
    int depth = 0;
    int deepest = 0;
    try {
      for (Token t = tokens.getNextToken(); t.kind != QueryParserConstants.EOF; t = tokens.getNextToken()) {
        if (t.kind == QueryParserConstants.LPAREN) {
          deepest = Math.max(deepest, ++depth);
        } else if (t.kind == QueryParserConstants.RPAREN) {
          depth = Math.max(0, depth - 1);
        }
      }
    } catch (TokenMgrError e) {
      // the parser stops at the same character, with its own message
    }
    return deepest;
  }

  /** Ranges only where there are few terms: not the full text, ids or attribute values. */
  private boolean rangeable(String field) {
    return !field.equals(defaultField) && !field.startsWith(Fields.ATTR) && !field.equals(Fields.TRACE_ID)
        && !field.equals(Fields.SPAN_ID) && !field.equals(SpanDocuments.PARENT_SPAN_ID);
  }

  /** The characters before the first wildcard of a wildcard term. */
  static int literalPrefix(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*' || c == '?') {
        return i;
      }
    }
    return text.length();
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
