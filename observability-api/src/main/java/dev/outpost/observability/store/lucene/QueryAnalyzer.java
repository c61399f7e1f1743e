package dev.outpost.observability.store.lucene;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.DelegatingAnalyzerWrapper;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.core.KeywordTokenizer;

/**
 * Full-text fields ({@code body}) go through {@link BodyAnalyzer}; ids (trace, span, parent span),
 * stored as lower-case hex, are lower-cased, so that an id pasted in upper case finds its records as
 * {@code /api/v1/traces/<ID>} finds its trace (it found nothing, with a 200); every other field is an
 * exact keyword, as it was indexed.
 */
final class QueryAnalyzer extends DelegatingAnalyzerWrapper {

  static final String FULL_TEXT = "body";

  private final Analyzer fullText = new BodyAnalyzer();
  private final Analyzer keyword = new KeywordAnalyzer();
  private final Analyzer id = new LowerCaseKeywordAnalyzer();

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
    if (FULL_TEXT.equals(fieldName)) {
      return fullText;
    }
    return Fields.TRACE_ID.equals(fieldName) || Fields.SPAN_ID.equals(fieldName)
        || SpanDocuments.PARENT_SPAN_ID.equals(fieldName) ? id : keyword;
  }

  /** The whole text as one term, lower-cased; wildcard and prefix terms too ({@link #normalize}). */
  private static final class LowerCaseKeywordAnalyzer extends Analyzer {
    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      KeywordTokenizer tokenizer = new KeywordTokenizer();
      return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
    }

    @Override
    protected TokenStream normalize(String fieldName, TokenStream in) {
      return new LowerCaseFilter(in);
    }
  }
}
