package dev.outpost.observability.store;

import java.util.Map;

/** About how much text a log record holds in memory and in a JSON answer: its strings, plus a fixed part. */
public final class RecordSize {

  /** The record's fixed fields, times and owner, as objects and as JSON. */
  private static final long FIXED = 512;

  private RecordSize() {}

  public static long of(LogEntry e) {
    return FIXED + length(e.body()) + length(e.traceId()) + length(e.spanId()) + length(e.event())
        + length(e.attributes()) + length(e.resource());
  }

  private static long length(Map<String, String> map) {
    long n = 0;
    for (Map.Entry<String, String> entry : map.entrySet()) {
      n += entry.getKey().length() + length(entry.getValue()) + 8;
    }
    return n;
  }

  private static long length(String s) {
    return s == null ? 0 : s.length();
  }
}
