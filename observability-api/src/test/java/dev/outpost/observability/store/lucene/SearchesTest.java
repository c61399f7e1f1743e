package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.observability.store.QueryTimedOutException;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;

/** The listings' walk over a field's terms, which every project shares, ends at the time budget. */
class SearchesTest {

  @Test
  void aListingThatRunsPastItsDeadlineEndsWithATimeoutNotAPartialList() throws Exception {
    try (ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(new StandardAnalyzer()))) {
      for (int i = 0; i < 1000; i++) {
        // another project's many span names, and one of the caller's
        Document doc = new Document();
        doc.add(new StringField("project", i == 0 ? "mine" : "theirs", Field.Store.NO));
        doc.add(new StringField("name", "operation-" + i, Field.Store.NO));
        doc.add(new StringField("kind", "SERVER", Field.Store.NO));
        writer.addDocument(doc);
      }
      writer.commit();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        TermQuery mine = new TermQuery(new Term("project", "mine"));
        long plenty = System.nanoTime() + 60_000_000_000L;
        assertThat(Searches.distinct(searcher, "name", mine, plenty)).containsExactly("operation-0");
        assertThat(Searches.distinctPairs(searcher, "name", "kind", mine, plenty)).hasSize(1);

        long past = System.nanoTime() - 1;
        assertThatThrownBy(() -> Searches.distinct(searcher, "name", new MatchAllDocsQuery(), past))
            .isInstanceOf(QueryTimedOutException.class).hasMessageContaining("narrow its time range");
        assertThatThrownBy(() -> Searches.distinctPairs(searcher, "name", "kind", mine, past))
            .isInstanceOf(QueryTimedOutException.class);
      }
    }
  }

  /**
   * A client making up names (ids in span names, the common instrumentation slip) had every listing
   * hold all of them: a million names on each pick of a service in Jaeger UI. A listing holds the first
   * names in sort order, at most {@link Listing#MAX_VALUES} of them.
   */
  @Test
  void aListingHoldsTheFirstNamesInSortOrderUpToItsCount() throws Exception {
    int names = Listing.MAX_VALUES + 50;
    try (ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(new StandardAnalyzer()))) {
      for (int i = names - 1; i >= 0; i--) {
        Document doc = new Document();
        doc.add(new StringField("name", String.format("op-%05d", i), Field.Store.NO));
        doc.add(new StringField("kind", i % 2 == 0 ? "SERVER" : "CLIENT", Field.Store.NO));
        writer.addDocument(doc);
        if (i % 3000 == 0) {
          writer.commit(); // several segments, each walked on its own
        }
      }
      writer.commit();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        long plenty = System.nanoTime() + 60_000_000_000L;
        var listed = Searches.distinct(searcher, "name", new MatchAllDocsQuery(), plenty);
        assertThat(listed).hasSize(Listing.MAX_VALUES);
        assertThat(listed.first()).isEqualTo("op-00000");
        assertThat(listed.last()).isEqualTo(String.format("op-%05d", Listing.MAX_VALUES - 1));
        var pairs = Searches.distinctPairs(searcher, "name", "kind", new MatchAllDocsQuery(), plenty);
        assertThat(pairs).hasSize(Listing.MAX_VALUES);
        assertThat(pairs.last().getKey()).isEqualTo(String.format("op-%05d", Listing.MAX_VALUES - 1));
      }
    }
  }

  /** Names can be as long as a term (32 KB): a listing holds at most {@link Listing#MAX_CHARS} of them. */
  @Test
  void aListingHoldsAtMostItsCharactersOfNames() throws Exception {
    int length = 30_000;
    try (ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(new StandardAnalyzer()))) {
      for (int i = 0; i < 200; i++) {
        Document doc = new Document();
        doc.add(new StringField("name", String.format("n%03d", i) + "x".repeat(length - 4), Field.Store.NO));
        doc.add(new StringField("kind", "SERVER", Field.Store.NO));
        writer.addDocument(doc);
      }
      writer.commit();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        long plenty = System.nanoTime() + 60_000_000_000L;
        int fit = (int) (Listing.MAX_CHARS / length);
        var listed = Searches.distinct(searcher, "name", new MatchAllDocsQuery(), plenty);
        assertThat(listed).hasSize(fit);
        assertThat(listed.last()).startsWith(String.format("n%03d", fit - 1));
        assertThat(Searches.distinctPairs(searcher, "name", "kind", new MatchAllDocsQuery(), plenty)).hasSize(fit);
      }
    }
  }

  /** What a listing holds is the first names in sort order: a short name after a long one turned away is not listed. */
  @Test
  void aListingPastItsCharactersHoldsAPrefixOfTheNames() {
    Listing<String> listing = Listing.ofNames();
    int length = 30_000;
    int fit = (int) (Listing.MAX_CHARS / length);
    for (int i = 0; i < fit; i++) {
      listing.add(String.format("a%03d", i) + "x".repeat(length - 4));
    }
    listing.add("b" + "x".repeat(length)); // past the bound: turned away
    listing.add("c"); // short, but after it
    listing.add("0"); // before everything, and it fits: held
    assertThat(listing.values()).hasSize(fit + 1).contains("0").doesNotContain("c")
        .allMatch(v -> v.compareTo("b") < 0);
  }
}
