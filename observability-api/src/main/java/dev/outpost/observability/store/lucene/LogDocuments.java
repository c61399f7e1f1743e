package dev.outpost.observability.store.lucene;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.store.LogEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;

/** A log record as a Lucene document: the documented fields indexed, the record kept as JSON. */
final class LogDocuments {

  static final String TIMESTAMP = "timestamp";
  static final String SEVERITY = "severity";
  static final String SEVERITY_NUMBER = "severityNumber";
  static final String BODY = "body";
  static final String EVENT = "event";

  /** The fields a query text may name (besides {@code attr.<key>}). */
  static final Set<String> QUERYABLE = Set.of(BODY, SEVERITY, Fields.SERVICE, Fields.PROJECT, Fields.INTEGRATION,
      Fields.ROUTE, EVENT, Fields.TRACE_ID, Fields.SPAN_ID);

  /** Newest first; seq breaks ties so that every record has one place in the order. */
  static final Sort NEWEST_FIRST = new Sort(
      new SortField(TIMESTAMP, SortField.Type.LONG, true), new SortField(Fields.SEQ, SortField.Type.LONG, true));

  private final ObjectMapper json;

  LogDocuments(ObjectMapper json) {
    this.json = json;
  }

  Document toDocument(LogEntry e) {
    Document doc = new Document();
    Fields.sortableLong(doc, TIMESTAMP, e.timeNanos());
    Fields.sortableLong(doc, Fields.SEQ, e.seq());
    doc.add(new IntPoint(SEVERITY_NUMBER, e.severityNumber()));
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
    try {
      doc.add(new StoredField(Fields.SOURCE, json.writeValueAsBytes(e)));
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return doc;
  }

  LogEntry fromSource(byte[] source) {
    try {
      return json.readValue(source, LogEntry.class);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
