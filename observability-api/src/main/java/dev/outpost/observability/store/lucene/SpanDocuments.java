package dev.outpost.observability.store.lucene;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.store.SpanEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.util.BytesRef;

/** A span as a Lucene document: the documented fields indexed, the span kept as JSON. */
final class SpanDocuments {

  static final String START = "start";
  static final String DURATION = "duration";
  static final String NAME = "name";
  static final String KIND = "kind";
  static final String STATUS = "status";
  static final String PARENT_SPAN_ID = "parentSpanId";
  /** Attribute keys an event's name and the status message are searchable by, as Jaeger shows them. */
  static final String EVENT = "event";
  static final String STATUS_DESCRIPTION = "otel.status_description";
  /**
   * Doc values the service graph reads ({@link ServiceGraphScan}): a span's service, and keys of the
   * span and of its parent ({@link SpanKeys}). Fields of their own: Lucene keeps a field's schema
   * across an index, and days written before have the keyword fields without doc values.
   */
  static final String SERVICE_VALUE = "serviceValue";
  static final String SPAN_KEY = "spanKey";
  static final String PARENT_KEY = "parentKey";

  static final Set<String> QUERYABLE = Set.of(NAME, KIND, STATUS, Fields.SERVICE, Fields.PROJECT,
      Fields.INTEGRATION, Fields.ROUTE, Fields.TRACE_ID, Fields.SPAN_ID, PARENT_SPAN_ID);

  /** A trace's spans from its start: what a view cut short keeps is its root and first spans. */
  static final Sort EARLIEST_FIRST = new Sort(
      new SortField(START, SortField.Type.LONG), new SortField(Fields.SEQ, SortField.Type.LONG));

  static final Sort NEWEST_FIRST = new Sort(
      new SortField(START, SortField.Type.LONG, true), new SortField(Fields.SEQ, SortField.Type.LONG, true));

  private final ObjectMapper json;

  SpanDocuments(ObjectMapper json) {
    this.json = json;
  }

  Document toDocument(SpanEntry s) {
    Document doc = new Document();
    Fields.sortableLong(doc, START, s.startNanos());
    Fields.sortableLong(doc, DURATION, s.durationNanos());
    Fields.sortableLong(doc, Fields.SEQ, s.seq());
    doc.add(new StringField(Fields.TRACE_ID, s.traceId(), Field.Store.YES));
    Fields.keyword(doc, Fields.SPAN_ID, s.spanId());
    Fields.keyword(doc, PARENT_SPAN_ID, s.parentSpanId());
    Fields.keyword(doc, NAME, s.name());
    Fields.keyword(doc, KIND, s.kind());
    Fields.keyword(doc, STATUS, s.status());
    Fields.keyword(doc, Fields.PROJECT, s.owner().project());
    Fields.keyword(doc, Fields.SERVICE, s.owner().service());
    Fields.keyword(doc, Fields.INTEGRATION, s.owner().integration());
    Fields.keyword(doc, Fields.ROUTE, s.owner().route());
    Fields.attributes(doc, s.attributes(), s.resource());
    if (Fields.indexable(s.owner().service())) {
      doc.add(new SortedDocValuesField(SERVICE_VALUE, new BytesRef(s.owner().service())));
    }
    doc.add(new NumericDocValuesField(SPAN_KEY, SpanKeys.of(s.traceId(), s.spanId())));
    if (s.parentSpanId() != null && !s.parentSpanId().isEmpty()) {
      doc.add(new NumericDocValuesField(PARENT_KEY, SpanKeys.of(s.traceId(), s.parentSpanId())));
    }
    // Jaeger searches a span's logs too: its events' names (the log field "event") and attributes,
    // and the status message it shows as the tag otel.status_description
    // (one more value of the key: a span's attempt=1 and its event's attempt=2 are both found)
    Fields.extraAttribute(doc, STATUS_DESCRIPTION, s.statusMessage());
    for (SpanEntry.Event event : s.events() == null ? List.<SpanEntry.Event>of() : s.events()) {
      Fields.extraAttribute(doc, EVENT, event.name());
      if (event.attributes() != null) {
        event.attributes().forEach((key, value) -> Fields.extraAttribute(doc, key, value));
      }
    }
    try {
      doc.add(new StoredField(Fields.SOURCE, json.writeValueAsBytes(s)));
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return doc;
  }

  SpanEntry fromSource(byte[] source, int offset, int length) {
    try {
      return json.readValue(source, offset, length, SpanEntry.class);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
