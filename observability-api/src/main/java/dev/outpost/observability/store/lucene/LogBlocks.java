package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.RecordSize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.util.BytesRef;

/**
 * Log records stored as blocks: one Lucene document holds up to {@link #MAX_RECORDS} records (and
 * {@link #MAX_BLOCK_CHARS} of text) of one project and one day, sorted by time.
 *
 * <p>Why: indexing one document per record cost twice the CPU (15 fields and a stored record per
 * record). A block indexes each distinct keyword of its records once and their bodies as one
 * field of many values, a gap of positions apart, so a block is a superset match:
 * every record a query matches lies in a block the widened query ({@link BlockQueries}) matches,
 * and the search then checks each record of those blocks exactly. The project is exact per block,
 * so the caller's project filter never depends on the record check.
 */
final class LogBlocks {

  static final int MAX_RECORDS = 1024;
  /**
   * Text a block holds at most (by {@link RecordSize}), unless one record alone is larger: a search
   * decodes a matching block whole before it can count its records against {@code query.memory-bytes},
   * and a batch of 1,024 large records made one block of up to the batch's 32 MiB for each search.
   */
  static final long MAX_BLOCK_CHARS = 1 << 20;

  static final String MIN_TIME = "minTime";
  static final String MAX_TIME = "maxTime";
  static final String MIN_SEQ = "minSeq";
  static final String MAX_SEQ = "maxSeq";
  static final String MAX_SEVERITY = "maxSeverity";
  /**
   * Set on a block with a body of {@link QueryAnalyzer#RECORD_GAP} chars or more: one record's
   * words may lie that far apart, so "all these words in one record" cannot be told by position.
   */
  static final String LONG_BODIES = "longBodies";
  /** The records' times, ascending, delta-encoded: histograms count them without reading records. */
  static final String TIMES = "times";
  static final String RECORDS = "_records";

  /** Blocks whose newest record is newest first; the first seq breaks ties. */
  static final Sort NEWEST_FIRST = new Sort(
      new SortField(MAX_TIME, SortField.Type.LONG, true), new SortField(MIN_SEQ, SortField.Type.LONG, true));

  private static final FieldType BODY_TERMS = new FieldType();

  static {
    BODY_TERMS.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);
    BODY_TERMS.setTokenized(true);
    BODY_TERMS.setOmitNorms(true);
    BODY_TERMS.freeze();
  }


  /** The records cut into blocks of one project and one day each, ready to index. */
  List<Block> toBlocks(List<LogEntry> records) {
    Map<String, List<LogEntry>> groups = new HashMap<>();
    for (LogEntry e : records) {
      String key = PartitionSet.dayOf(e.timeNanos()) + "/" + e.owner().project();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
    }
    List<Block> blocks = new ArrayList<>();
    for (List<LogEntry> group : groups.values()) {
      group.sort(Comparator.comparingLong(LogEntry::timeNanos).thenComparingLong(LogEntry::seq));
      int from = 0;
      long chars = 0;
      for (int i = 0; i < group.size(); i++) {
        long size = RecordSize.of(group.get(i));
        if (i > from && (i - from == MAX_RECORDS || chars + size > MAX_BLOCK_CHARS)) {
          blocks.add(block(group.subList(from, i)));
          from = i;
          chars = 0;
        }
        chars += size;
      }
      blocks.add(block(group.subList(from, group.size())));
    }
    return blocks;
  }

  private Block block(List<LogEntry> part) {
    return new Block(part.get(0).timeNanos(), toDocument(part));
  }

  /** One block's document and the time that picks its partition. */
  record Block(long timeNanos, Document document) {}

  /** A record's body, analyzed by its block's chain rather than the writer's per-thread one. */
  private static final class BodyField extends Field {
    private final BodyAnalyzer.Chain analysis;

    BodyField(String body, BodyAnalyzer.Chain analysis) {
      super(LogDocuments.BODY, body, BODY_TERMS);
      this.analysis = analysis;
    }

    @Override
    public TokenStream tokenStream(Analyzer analyzer, TokenStream reuse) {
      return analysis.of(stringValue());
    }
  }

  private Document toDocument(List<LogEntry> records) {
    Map<String, Set<String>> keywords = new HashMap<>();
    // by attribute key: each record's keys are new strings, and naming the field attr.<key> once
    // per block rather than per record saved a string and its hash for each attribute
    Map<String, Set<String>> attributes = new HashMap<>();
    List<String> bodies = new ArrayList<>(records.size());
    long minSeq = Long.MAX_VALUE;
    long maxSeq = Long.MIN_VALUE;
    int maxSeverity = 0;
    // the block's terms are the union of its records' terms, taken as the exact check takes them
    Fields.Keywords union = new Fields.Keywords() {
      @Override
      public void add(String field, String value) {
        keywords.computeIfAbsent(field, k -> new HashSet<>()).add(value);
      }

      @Override
      public void addAttribute(String key, String value) {
        attributes.computeIfAbsent(key, k -> new HashSet<>()).add(value);
      }
    };
    for (LogEntry e : records) {
      LogDocuments.keywords(e, union);
      if (e.body() != null) {
        bodies.add(e.body());
      }
      minSeq = Math.min(minSeq, e.seq());
      maxSeq = Math.max(maxSeq, e.seq());
      maxSeverity = Math.max(maxSeverity, e.severityNumber());
    }
    Document doc = new Document();
    keywords.forEach((field, values) -> values.forEach(v -> doc.add(new StringField(field, v, Field.Store.NO))));
    attributes.forEach((key, values) -> {
      String field = Fields.ATTR + key;
      values.forEach(v -> doc.add(new StringField(field, v, Field.Store.NO)));
    });
    for (String service : keywords.getOrDefault(Fields.SERVICE, Set.of())) {
      doc.add(new SortedSetDocValuesField(Fields.SERVICE, new BytesRef(service)));
    }
    // one value per record, all analyzed by one chain of the body's analysis; the writer's analyzer
    // (QueryAnalyzer) puts a gap of positions between values so that no phrase runs across two records
    BodyAnalyzer.Chain analysis = new BodyAnalyzer.Chain();
    boolean longBodies = false;
    for (String body : bodies) {
      doc.add(new BodyField(body, analysis));
      // a token is at least one char, so a shorter body has fewer positions than the gap
      longBodies |= body.length() >= QueryAnalyzer.RECORD_GAP;
    }
    if (longBodies) {
      doc.add(new StringField(LONG_BODIES, "true", Field.Store.NO));
    }
    long minTime = records.get(0).timeNanos();
    long maxTime = records.get(records.size() - 1).timeNanos();
    doc.add(new LongPoint(MIN_TIME, minTime));
    doc.add(new LongPoint(MAX_TIME, maxTime));
    doc.add(new NumericDocValuesField(MAX_TIME, maxTime));
    doc.add(new LongPoint(MIN_SEQ, minSeq));
    doc.add(new NumericDocValuesField(MIN_SEQ, minSeq));
    doc.add(new LongPoint(MAX_SEQ, maxSeq));
    doc.add(new IntPoint(MAX_SEVERITY, maxSeverity));
    doc.add(new BinaryDocValuesField(TIMES, encodeTimes(records)));
    doc.add(new StoredField(RECORDS, RecordCodec.encode(records)));
    return doc;
  }

  static List<LogEntry> records(BytesRef stored) {
    return RecordCodec.decode(stored);
  }

  private static BytesRef encodeTimes(List<LogEntry> ascending) {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    try {
      out.writeVInt(ascending.size());
      long previous = ascending.get(0).timeNanos();
      out.writeZLong(previous);
      for (int i = 1; i < ascending.size(); i++) {
        long t = ascending.get(i).timeNanos();
        out.writeVLong(t - previous);
        previous = t;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory
    }
    return new BytesRef(out.toArrayCopy());
  }

  /** The times written by {@link #encodeTimes}, ascending. */
  static long[] times(BytesRef encoded) throws IOException {
    ByteArrayDataInput in = new ByteArrayDataInput(encoded.bytes, encoded.offset, encoded.length);
    long[] times = new long[in.readVInt()];
    long t = in.readZLong();
    times[0] = t;
    for (int i = 1; i < times.length; i++) {
      t += in.readVLong();
      times[i] = t;
    }
    return times;
  }
}
