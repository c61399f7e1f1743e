package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.util.BytesRef;

/**
 * The records of a block in a compact binary form (Lucene's variable-length ints and UTF-8
 * strings). A search decodes every record of the blocks it reads, so this is on both hot paths;
 * JSON cost three times as much CPU each way.
 */
final class RecordCodec {

  /** Bumped when the layout changes; a block in another layout is refused, not misread. */
  private static final int VERSION = 1;

  private RecordCodec() {}

  static byte[] encode(List<LogEntry> records) {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    try {
      out.writeVInt(VERSION);
      out.writeVInt(records.size());
      for (LogEntry e : records) {
        out.writeVLong(e.seq());
        out.writeZLong(e.timeNanos());
        out.writeZLong(e.observedNanos());
        out.writeZInt(e.severityNumber());
        writeNullable(out, e.severity());
        writeNullable(out, e.body());
        writeNullable(out, e.owner().service());
        writeNullable(out, e.owner().project());
        writeNullable(out, e.owner().integration());
        writeNullable(out, e.owner().integrationVersion());
        writeNullable(out, e.owner().route());
        writeNullable(out, e.event());
        writeNullable(out, e.traceId());
        writeNullable(out, e.spanId());
        writeMap(out, e.attributes());
        writeMap(out, e.resource());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory
    }
    return out.toArrayCopy();
  }

  static List<LogEntry> decode(BytesRef bytes) {
    try {
      return decode(new ByteArrayDataInput(bytes.bytes, bytes.offset, bytes.length));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory
    }
  }

  private static List<LogEntry> decode(ByteArrayDataInput in) throws IOException {
    int version = in.readVInt();
    if (version != VERSION) {
      throw new IllegalStateException("log block in layout " + version + ", this build reads " + VERSION);
    }
    int count = in.readVInt();
    List<LogEntry> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long seq = in.readVLong();
      long time = in.readZLong();
      long observed = in.readZLong();
      int severityNumber = in.readZInt();
      String severity = readNullable(in);
      String body = readNullable(in);
      Owner owner = new Owner(readNullable(in), readNullable(in), readNullable(in), readNullable(in), readNullable(in));
      records.add(new LogEntry(seq, time, observed, severityNumber, severity, body, owner, readNullable(in),
          readNullable(in), readNullable(in), readMap(in), readMap(in)));
    }
    return records;
  }

  private static void writeNullable(DataOutput out, String s) throws IOException {
    if (s == null) {
      out.writeByte((byte) 0);
    } else {
      out.writeByte((byte) 1);
      out.writeString(s);
    }
  }

  private static String readNullable(ByteArrayDataInput in) throws IOException {
    return in.readByte() == 0 ? null : in.readString();
  }

  private static void writeMap(DataOutput out, Map<String, String> map) throws IOException {
    out.writeVInt(map.size());
    for (Map.Entry<String, String> kv : map.entrySet()) {
      out.writeString(kv.getKey());
      writeNullable(out, kv.getValue());
    }
  }

  private static Map<String, String> readMap(ByteArrayDataInput in) throws IOException {
    int size = in.readVInt();
    Map<String, String> map = new LinkedHashMap<>(size * 2);
    for (int i = 0; i < size; i++) {
      map.put(in.readString(), readNullable(in));
    }
    return map;
  }
}
