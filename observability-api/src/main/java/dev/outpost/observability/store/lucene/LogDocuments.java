package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.LogEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;

/**
 * One log record as a Lucene document of its searchable fields. The store does not index these
 * one by one: {@link LogBlocks} indexes the union of many records' terms as one block. This
 * document is what a query is checked against exactly, record by record (in a {@code MemoryIndex}).
 */
final class LogDocuments {

  static final String SEVERITY = "severity";
  static final String BODY = "body";
  static final String EVENT = "event";

  /** The fields a query text may name (besides {@code attr.<key>}). */
  static final Set<String> QUERYABLE = Set.of(BODY, SEVERITY, Fields.SERVICE, Fields.PROJECT, Fields.INTEGRATION,
      Fields.ROUTE, EVENT, Fields.TRACE_ID, Fields.SPAN_ID);

  static Document toDocument(LogEntry e) {
    Document doc = new Document();
    keywords(e, (name, value) -> doc.add(new StringField(name, value, Field.Store.NO)));
    if (e.body() != null) {
      doc.add(new TextField(BODY, e.body(), Field.Store.NO));
    }
    return doc;
  }

  /** Every exact-value field of the record, as {@link Fields#keyword} indexes it. */
  static void keywords(LogEntry e, Fields.Keywords sink) {
    Fields.keyword(sink, SEVERITY, e.severity());
    Fields.keyword(sink, Fields.PROJECT, e.owner().project());
    Fields.keyword(sink, Fields.SERVICE, e.owner().service());
    Fields.keyword(sink, Fields.INTEGRATION, e.owner().integration());
    Fields.keyword(sink, Fields.ROUTE, e.owner().route());
    Fields.keyword(sink, EVENT, e.event());
    Fields.keyword(sink, Fields.TRACE_ID, e.traceId());
    Fields.keyword(sink, Fields.SPAN_ID, e.spanId());
    Fields.attributes(sink, e.attributes(), e.resource());
  }

  /** Adds the body's tokens, as the query side's analyzer makes them, to {@code into}. */
  static void addBodyTokens(Analyzer analyzer, String body, Set<String> into) {
    try (TokenStream stream = analyzer.tokenStream(BODY, body)) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      stream.reset();
      while (stream.incrementToken()) {
        into.add(term.toString());
      }
      stream.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringReader does not fail
    }
  }
}
