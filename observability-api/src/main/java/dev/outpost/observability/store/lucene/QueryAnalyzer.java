package dev.outpost.observability.store.lucene;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.DelegatingAnalyzerWrapper;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;

/**
 * Full-text fields ({@code body}) go through the standard analyzer; every other field is an exact
 * keyword, as it was indexed.
 */
final class QueryAnalyzer extends DelegatingAnalyzerWrapper {

  static final String FULL_TEXT = "body";

  private final Analyzer fullText = new StandardAnalyzer();
  private final Analyzer keyword = new KeywordAnalyzer();

  QueryAnalyzer() {
    super(PER_FIELD_REUSE_STRATEGY);
  }

  @Override
  protected Analyzer getWrappedAnalyzer(String fieldName) {
    return FULL_TEXT.equals(fieldName) ? fullText : keyword;
  }
}
