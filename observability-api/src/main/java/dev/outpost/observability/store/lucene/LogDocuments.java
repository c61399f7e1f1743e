package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.LogEntry;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
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
    Fields.keyword(doc, SEVERITY, e.severity());
    if (e.body() != null) {
      doc.add(new TextField(BODY, e.body(), Field.Store.NO));
    }
    Fields.keyword(doc, Fields.PROJECT, e.owner().project());
    Fields.keyword(doc, Fields.SERVICE, e.owner().service());
    Fields.keyword(doc, Fields.INTEGRATION, e.owner().integration());
    Fields.keyword(doc, Fields.ROUTE, e.owner().route());
    Fields.keyword(doc, EVENT, e.event());
    Fields.keyword(doc, Fields.TRACE_ID, e.traceId());
    Fields.keyword(doc, Fields.SPAN_ID, e.spanId());
    Fields.attributes(doc, e.attributes(), e.resource());
    return doc;
  }
}
