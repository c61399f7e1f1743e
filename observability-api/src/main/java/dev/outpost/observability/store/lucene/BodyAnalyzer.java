package dev.outpost.observability.store.lucene;

import java.io.IOException;
import java.io.StringReader;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharacterUtils;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * The analysis of full text (a log body): Lucene's {@link StandardTokenizer}, then lower case.
 * Token for token what Lucene's {@code StandardAnalyzer} makes (it has no stop words by default),
 * which analyzed every store written before this class; {@code BodyAnalyzerTest} holds it to that.
 *
 * <p>Why not {@code StandardAnalyzer} itself: under full ingest two of its costs showed. Each body of
 * a log block asked the analyzer for its per-thread token stream (a shared counter behind that
 * lookup took 2% of the CPU); a block now takes one {@link Chain} for all its bodies. And Lucene's
 * lower-casing converts every char to a code point and back (2%); ASCII is lowered directly.
 */
final class BodyAnalyzer extends Analyzer {

  @Override
  protected TokenStreamComponents createComponents(String fieldName) {
    Chain chain = new Chain();
    return new TokenStreamComponents(chain.source::setReader, chain.sink);
  }

  @Override
  protected TokenStream normalize(String fieldName, TokenStream in) {
    return new LowerCase(in);
  }

  /** A tokenizer and its filters, for one thread: set to one text after another. */
  static final class Chain {
    private final StandardTokenizer source = new StandardTokenizer();
    private final TokenStream sink = new LowerCase(source);

    /** The tokens of {@code text}; consumed (reset … close) before the next call. */
    TokenStream of(String text) {
      source.setReader(new StringReader(text));
      return sink;
    }
  }

  /** Lower case as Lucene's {@code LowerCaseFilter} makes it, ASCII chars lowered without the code point round trip. */
  static final class LowerCase extends TokenFilter {
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

    LowerCase(TokenStream in) {
      super(in);
    }

    @Override
    public boolean incrementToken() throws IOException {
      if (!input.incrementToken()) {
        return false;
      }
      char[] buffer = term.buffer();
      int length = term.length();
      for (int i = 0; i < length; i++) {
        char c = buffer[i];
        if (c >= 0x80) {
          // the first char beyond ASCII starts a code point: Lucene's lowering from here on
          CharacterUtils.toLowerCase(buffer, i, length);
          break;
        }
        if (c >= 'A' && c <= 'Z') {
          buffer[i] = (char) (c + ('a' - 'A'));
        }
      }
      return true;
    }
  }
}
