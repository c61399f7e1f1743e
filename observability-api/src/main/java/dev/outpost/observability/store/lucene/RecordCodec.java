package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.AttributeMap;
import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.util.BytesRef;

/**
 * The records of a block in a compact binary form: Lucene's variable-length ints and UTF-8
 * strings, with each short string (attribute keys and values, owner, severity) written once per
 * block and referred to by number after, and a resource written once for the records that share
 * it. A search decodes every record of the blocks it reads and Lucene compresses what is stored,
 * so fewer bytes help both paths; JSON cost three times the CPU.
 */
final class RecordCodec {

  /** Bumped when the layout changes; a block in another layout is refused, not misread. */
  private static final int VERSION = 2;
  private static final int NULL = 0;
  private static final int LITERAL = 1;
  /** A string of the block's table is written as its index plus this. */
  private static final int FIRST_REFERENCE = 2;

  private RecordCodec() {}

  static byte[] encode(List<LogEntry> records) {
    Writer out = new Writer();
    try {
      out.bytes.writeVInt(VERSION);
      out.bytes.writeVInt(records.size());
      Map<String, String> previousResource = null;
      for (LogEntry e : records) {
        out.bytes.writeVLong(e.seq());
        out.bytes.writeZLong(e.timeNanos());
        out.bytes.writeZLong(e.observedNanos());
        out.bytes.writeZInt(e.severityNumber());
        out.shared(e.severity());
        out.literal(e.body());
        out.shared(e.owner().service());
        out.shared(e.owner().project());
        out.shared(e.owner().integration());
        out.shared(e.owner().integrationVersion());
        out.shared(e.owner().route());
        out.shared(e.event());
        out.literal(e.traceId());
        out.literal(e.spanId());
        out.map(e.attributes());
        boolean sameResource = e.resource().equals(previousResource);
        out.bytes.writeByte((byte) (sameResource ? 1 : 0));
        if (!sameResource) {
          out.map(e.resource());
          previousResource = e.resource();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory
    }
    return out.bytes.toArrayCopy();
  }

  static List<LogEntry> decode(BytesRef bytes) {
    try {
      return new Reader(new ByteArrayDataInput(bytes.bytes, bytes.offset, bytes.length)).records();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory
    }
  }

  private static final class Writer {
    final ByteBuffersDataOutput bytes = new ByteBuffersDataOutput();
    private final Map<String, Integer> table = new HashMap<>();

    void literal(String s) throws IOException {
      if (s == null) {
        bytes.writeVInt(NULL);
      } else {
        bytes.writeVInt(LITERAL);
        bytes.writeString(s);
      }
    }

    void shared(String s) throws IOException {
      Integer index = s == null ? null : table.get(s);
      if (index != null) {
        bytes.writeVInt(index + FIRST_REFERENCE);
        return;
      }
      literal(s);
      if (s != null) {
        table.put(s, table.size());
      }
    }

    void map(Map<String, String> map) throws IOException {
      bytes.writeVInt(map.size());
      for (Map.Entry<String, String> kv : map.entrySet()) {
        shared(kv.getKey());
        shared(kv.getValue());
      }
    }
  }

  private static final class Reader {
    private final ByteArrayDataInput in;
    private final List<String> table = new ArrayList<>();

    Reader(ByteArrayDataInput in) {
      this.in = in;
    }

    List<LogEntry> records() throws IOException {
      int version = in.readVInt();
      if (version != VERSION) {
        throw new IllegalStateException("log block in layout " + version + ", this build reads " + VERSION);
      }
      int count = in.readVInt();
      List<LogEntry> records = new ArrayList<>(count);
      Map<String, String> resource = null;
      for (int i = 0; i < count; i++) {
        long seq = in.readVLong();
        long time = in.readZLong();
        long observed = in.readZLong();
        int severityNumber = in.readZInt();
        String severity = shared();
        String body = literal();
        Owner owner = new Owner(shared(), shared(), shared(), shared(), shared());
        String event = shared();
        String traceId = literal();
        String spanId = literal();
        Map<String, String> attributes = map();
        if (in.readByte() == 0) {
          resource = map();
        }
        records.add(new LogEntry(seq, time, observed, severityNumber, severity, body, owner, event, traceId, spanId,
            attributes, resource));
      }
      return records;
    }

    private String literal() throws IOException {
      int code = in.readVInt();
      return code == NULL ? null : in.readString();
    }

    private String shared() throws IOException {
      int code = in.readVInt();
      if (code == NULL) {
        return null;
      }
      if (code == LITERAL) {
        String s = in.readString();
        table.add(s);
        return s;
      }
      return table.get(code - FIRST_REFERENCE);
    }

    private Map<String, String> map() throws IOException {
      int size = in.readVInt();
      AttributeMap.Builder map = AttributeMap.builder(size);
      for (int i = 0; i < size; i++) {
        map.put(shared(), shared());
      }
      return map.build();
    }
  }
}
