package dev.outpost.observability.query;

import dev.outpost.observability.store.SpanEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Orders a trace's spans depth first (each parent before its children, siblings by start time),
 * with their depth: the span waterfall. Spans whose parent is not visible are roots.
 */
public final class SpanTree {

  private SpanTree() {}

  public static Views.TraceView of(String traceId, List<SpanEntry> spansByStart) {
    Map<String, SpanEntry> byId = new HashMap<>();
    spansByStart.forEach(s -> byId.put(s.spanId(), s));
    Map<String, List<SpanEntry>> children = new LinkedHashMap<>();
    List<SpanEntry> roots = new ArrayList<>();
    for (SpanEntry s : spansByStart) {
      if (s.parentSpanId().isEmpty() || !byId.containsKey(s.parentSpanId()) || s.parentSpanId().equals(s.spanId())) {
        roots.add(s);
      } else {
        children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
      }
    }
    List<Views.SpanView> ordered = new ArrayList<>(spansByStart.size());
    for (SpanEntry root : roots) {
      walk(root, 0, children, ordered);
    }
    long start = spansByStart.stream().mapToLong(SpanEntry::startNanos).min().orElse(0);
    long end = spansByStart.stream().mapToLong(SpanEntry::endNanos).max().orElse(0);
    LinkedHashSet<String> services = new LinkedHashSet<>();
    ordered.forEach(s -> services.add(s.service()));
    return new Views.TraceView(traceId, Views.time(start), end - start, List.copyOf(services), ordered);
  }

  public static Views.TraceSummary summary(Views.TraceView trace) {
    Views.SpanView root = trace.spans().get(0);
    int errors = (int) trace.spans().stream().filter(s -> "ERROR".equals(s.status())).count();
    return new Views.TraceSummary(trace.traceId(), root.service(), root.name(), trace.startTime(),
        trace.durationNanos(), trace.spans().size(), errors, trace.services());
  }

  private static void walk(SpanEntry span, int depth, Map<String, List<SpanEntry>> children,
      List<Views.SpanView> out) {
    // duplicate span ids in bad data can form a cycle; a chain deeper than the span count is one
    if (depth > children.size() + 1 || depth > 10_000) {
      return;
    }
    out.add(Views.SpanView.of(span, depth));
    for (SpanEntry child : children.getOrDefault(span.spanId(), List.of())) {
      walk(child, depth + 1, children, out);
    }
  }
}
