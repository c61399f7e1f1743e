package dev.outpost.observability.jaeger;

import dev.outpost.observability.store.SpanEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A trace's summary as Jaeger's v3 {@code /trace-summaries} gives it, the list Jaeger UI's search shows:
 * its root (the earliest span without a parent), its time span, its spans and failed spans in all and
 * per service, and its orphans (spans whose parent is not in the trace).
 */
final class TraceSummaries {

  /** Times are nanosecond strings, as proto3 JSON writes an int64. */
  record Summary(String traceId, String rootServiceName, String rootOperationName, String minStartTimeUnixNano,
      String maxEndTimeUnixNano, int spanCount, int errorSpanCount, int orphanSpanCount, List<Service> services) {}

  record Service(String name, int spanCount, int errorSpanCount) {}

  private TraceSummaries() {}

  /** {@code spans}: one trace's, at least one. */
  static Summary of(List<SpanEntry> spans) {
    Set<String> ids = new HashSet<>();
    spans.forEach(s -> ids.add(s.spanId()));
    SpanEntry root = null;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    int errors = 0;
    int orphans = 0;
    Map<String, int[]> services = new TreeMap<>();
    for (SpanEntry s : spans) {
      boolean failed = "ERROR".equals(s.status());
      int[] counts = services.computeIfAbsent(s.owner().service(), name -> new int[2]);
      counts[0]++;
      if (failed) {
        counts[1]++;
        errors++;
      }
      min = Math.min(min, s.startNanos());
      max = Math.max(max, s.endNanos());
      if (s.parentSpanId().isEmpty()) {
        if (root == null || s.startNanos() < root.startNanos()) {
          root = s;
        }
      } else if (!ids.contains(s.parentSpanId())) {
        orphans++;
      }
    }
    List<Service> perService = new ArrayList<>(services.size());
    services.forEach((name, counts) -> perService.add(new Service(name, counts[0], counts[1])));
    return new Summary(spans.get(0).traceId(), root == null ? "" : root.owner().service(),
        root == null ? "" : root.name(), Long.toString(min), Long.toString(max), spans.size(), errors, orphans,
        perService);
  }
}
