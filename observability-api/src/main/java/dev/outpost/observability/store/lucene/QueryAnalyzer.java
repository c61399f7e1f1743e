package dev.outpost.observability.store.lucene;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.DelegatingAnalyzerWrapper;
import org.apache.lucene.analysis.core.KeywordAnalyzer;

/**
 * Full-text fields ({@code body}) go through {@link BodyAnalyzer}; every other field is an exact
 * keyword, as it was indexed.
 */
final class QueryAnalyzer extends DelegatingAnalyzerWrapper {

  static final String FULL_TEXT = "body";

  private final Analyzer fullText = new BodyAnalyzer();
  private final Analyzer keyword = new KeywordAnalyzer();

  QueryAnalyzer() {
    super(PER_FIELD_REUSE_STRATEGY);
  }

  /**
   * Positions between the bodies of two records of one log block: a phrase (slop under this), or
   * words less than this apart, cannot run from one record's body into the next, so a block
   * matches a phrase only when one of its records holds it. 1024 records of bodies of up to 8 MiB
   * stay far below Lucene's largest position.
   */
  static final int RECORD_GAP = 100_000;

  @Override
  public int getPositionIncrementGap(String fieldName) {
    return FULL_TEXT.equals(fieldName) ? RECORD_GAP : super.getPositionIncrementGap(fieldName);
  }

  @Override
  protected Analyzer getWrappedAnalyzer(String fieldName) {
    return FULL_TEXT.equals(fieldName) ? fullText : keyword;
  }
}
