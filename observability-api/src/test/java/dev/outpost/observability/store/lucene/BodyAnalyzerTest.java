package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.Owner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.DelegatingAnalyzerWrapper;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;

/**
 * Bodies must be analyzed exactly as Lucene's StandardAnalyzer analyzed them: stores written
 * before {@link BodyAnalyzer} hold its tokens, and queries are analyzed by it. Random texts of
 * ASCII, accented, Turkish, Greek, CJK and emoji chars, words longer than the tokenizer's limit.
 */
class BodyAnalyzerTest {

  private static final String[] PIECES = {"Payment", "FAILED", "order-42", "v1.2.3", "user@example.com",
      "https://shop.example/a?b=C", "İstanbul", "ΣΊΣΥΦΟΣ", "Straße", "café", "日本語のログ", "😀Smile", "𐐀𐐨",
      "ǅ", "x".repeat(300), "A".repeat(256), "192.168.0.1:8080", "ERROR:", "ok", "", " ", "\t", "\n", "--", "_id",
      "O'Neil", "3.14", "ÀÉÎÕÜ", "\uD800", "ﬃ"};

  private final Random random = new Random(20261204L);

  private String text() {
    StringBuilder s = new StringBuilder();
    int words = random.nextInt(40);
    for (int i = 0; i < words; i++) {
      s.append(PIECES[random.nextInt(PIECES.length)]);
      s.append(random.nextInt(4) == 0 ? "" : random.nextBoolean() ? " " : ", ");
    }
    return s.toString();
  }

  /** Every token with its attributes, and what the stream's end() leaves. */
  private static List<String> tokens(TokenStream stream) throws IOException {
    List<String> tokens = new ArrayList<>();
    try (stream) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      PositionIncrementAttribute increment = stream.addAttribute(PositionIncrementAttribute.class);
      OffsetAttribute offset = stream.addAttribute(OffsetAttribute.class);
      TypeAttribute type = stream.addAttribute(TypeAttribute.class);
      stream.reset();
      while (stream.incrementToken()) {
        tokens.add(term + " +" + increment.getPositionIncrement() + " " + offset.startOffset() + "-"
            + offset.endOffset() + " " + type.type());
      }
      stream.end();
      tokens.add("end +" + increment.getPositionIncrement() + " " + offset.endOffset());
    }
    return tokens;
  }

  @Test
  void tokensAreStandardAnalyzersForEveryText() throws IOException {
    try (Analyzer standard = new StandardAnalyzer(); Analyzer body = new BodyAnalyzer()) {
      BodyAnalyzer.Chain chain = new BodyAnalyzer.Chain();
      for (int i = 0; i < 3000; i++) {
        String text = text();
        List<String> expected = tokens(standard.tokenStream("body", text));
        assertThat(tokens(body.tokenStream("body", text))).as(text).isEqualTo(expected);
        assertThat(tokens(chain.of(text))).as("the chain reused, at %s", text).isEqualTo(expected);
        assertThat(body.normalize("body", text)).isEqualTo(standard.normalize("body", text));
      }
    }
  }

  @Test
  void aBlockIndexesTheSamePositionsAsOneStandardFieldPerRecord() throws IOException {
    List<LogEntry> records = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String body = i % 50 == 7 ? null : text(); // empty bodies and records without one among them
      records.add(new LogEntry(i, 1_000 + i, 1_000 + i, 9, "INFO", body, new Owner("svc", "p", "", "", ""), "", "",
          "", Map.of(), Map.of()));
    }
    Document block = new LogBlocks().toBlocks(records).get(0).document();

    FieldType text = new FieldType();
    text.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);
    text.setTokenized(true);
    text.setOmitNorms(true);
    Document standard = new Document();
    records.stream().filter(e -> e.body() != null).forEach(e -> standard.add(new Field("body", e.body(), text)));
    Analyzer standardWithGap = new DelegatingAnalyzerWrapper(Analyzer.PER_FIELD_REUSE_STRATEGY) {
      private final Analyzer wrapped = new StandardAnalyzer();

      @Override
      protected Analyzer getWrappedAnalyzer(String fieldName) {
        return wrapped;
      }

      @Override
      public int getPositionIncrementGap(String fieldName) {
        return QueryAnalyzer.RECORD_GAP;
      }
    };

    assertThat(positions(block, new QueryAnalyzer())).isEqualTo(positions(standard, standardWithGap))
        .hasSizeGreaterThan(20);
  }

  /** Each body term of the one document, with its positions. */
  private static List<String> positions(Document doc, Analyzer analyzer) throws IOException {
    try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
      try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(analyzer))) {
        writer.addDocument(doc);
      }
      List<String> postings = new ArrayList<>();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        LeafReader leaf = reader.leaves().get(0).reader();
        Terms terms = leaf.terms("body");
        TermsEnum each = terms.iterator();
        for (BytesRef term = each.next(); term != null; term = each.next()) {
          PostingsEnum p = each.postings(null, PostingsEnum.POSITIONS);
          StringBuilder line = new StringBuilder(term.utf8ToString());
          while (p.nextDoc() != DocIdSetIterator.NO_MORE_DOCS) {
            for (int i = 0; i < p.freq(); i++) {
              line.append(' ').append(p.nextPosition());
            }
          }
          postings.add(line.toString());
        }
      }
      return postings;
    }
  }
}
