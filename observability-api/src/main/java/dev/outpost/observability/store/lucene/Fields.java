package dev.outpost.observability.store.lucene;

import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.UnicodeUtil;

/** Field names and helpers shared by the log and span documents. */
final class Fields {

  static final String SEQ = "seq";
  static final String SOURCE = "_source";
  static final String PROJECT = "project";
  static final String SERVICE = "service";
  static final String INTEGRATION = "integration";
  static final String ROUTE = "route";
  static final String TRACE_ID = "traceId";
  static final String SPAN_ID = "spanId";
  static final String ATTR = "attr.";

  private Fields() {}

  /** Where a record's exact values go: a field by its name, an attribute by its key. */
  @FunctionalInterface
  interface Keywords {
    void add(String field, String value);

    /** An attribute, searchable as the field {@code attr.<key>}. */
    default void addAttribute(String key, String value) {
      add(ATTR + key, value);
    }
  }

  /**
   * Indexes {@code value} as one exact term. A value longer than Lucene's term limit (32,766 UTF-8
   * bytes, for example a long stack trace) is not indexed, as Elasticsearch's {@code ignore_above}
   * does: it stays whole in the stored record, and the rest of the batch is accepted (Lucene would
   * refuse the whole document).
   */
  static void keyword(Document doc, String name, String value) {
    keyword(toDocument(doc), name, value);
  }

  /** {@link #keyword(Document, String, String)}, handing the field to {@code sink}. */
  static void keyword(Keywords sink, String name, String value) {
    if (indexable(value)) {
      sink.add(name, value);
    }
  }

  static boolean indexable(String value) {
    return value != null && !value.isEmpty() && fitsOneTerm(value);
  }

  private static Keywords toDocument(Document doc) {
    return (name, value) -> doc.add(new StringField(name, value, Field.Store.NO));
  }

  private static boolean fitsOneTerm(String value) {
    // a char is at most 3 UTF-8 bytes, so short values need no count
    return value.length() <= IndexWriter.MAX_TERM_LENGTH / 3
        || UnicodeUtil.calcUTF16toUTF8Length(value, 0, value.length()) <= IndexWriter.MAX_TERM_LENGTH;
  }

  static void sortableLong(Document doc, String name, long value) {
    doc.add(new LongPoint(name, value));
    doc.add(new NumericDocValuesField(name, value));
  }

  /** One more value of attribute {@code key}, beside any the record has. */
  static void extraAttribute(Document doc, String key, String value) {
    if (indexable(value)) {
      toDocument(doc).addAttribute(key, value);
    }
  }

  /** Record attributes first; a resource attribute only when no record attribute has its key. */
  static void attributes(Document doc, Map<String, String> record, Map<String, String> resource) {
    attributes(toDocument(doc), record, resource);
  }

  static void attributes(Keywords sink, Map<String, String> record, Map<String, String> resource) {
    record.forEach((k, v) -> {
      if (indexable(v)) {
        sink.addAttribute(k, v);
      }
    });
    resource.forEach((k, v) -> {
      if (!record.containsKey(k) && indexable(v)) {
        sink.addAttribute(k, v);
      }
    });
  }

  static BytesRef bytes(String s) {
    return new BytesRef(s);
  }
}
