package dev.outpost.observability.query;

import dev.outpost.observability.store.SpanEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Orders a trace's spans depth first (each parent before its children, siblings by start time),
 * with their depth: the span waterfall. Spans whose parent is not visible are roots, and so is the
 * earliest span of a loop of parents.
 */
public final class SpanTree {

  private SpanTree() {}

  public static Views.TraceView of(String traceId, List<SpanEntry> spansByStart) {
    return of(traceId, spansByStart, false);
  }

  public static Views.TraceView of(String traceId, List<SpanEntry> spansByStart, boolean partial) {
    Map<String, List<SpanEntry>> byId = new HashMap<>();
    spansByStart.forEach(s -> byId.computeIfAbsent(s.spanId(), k -> new ArrayList<>(1)).add(s));
    Map<SpanEntry, List<SpanEntry>> children = new IdentityHashMap<>();
    List<SpanEntry> roots = new ArrayList<>();
    for (SpanEntry s : spansByStart) {
      SpanEntry parent = s.parentSpanId().equals(s.spanId()) ? null : parentOf(s, byId.get(s.parentSpanId()));
      if (parent == null) {
        roots.add(s);
      } else {
        children.computeIfAbsent(parent, k -> new ArrayList<>()).add(s);
      }
    }
    List<Views.SpanView> ordered = new ArrayList<>(spansByStart.size());
    Set<SpanEntry> placed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (SpanEntry root : roots) {
      walk(root, children, placed, ordered);
    }
    // spans whose parents form a loop (bad data) hang from no root: the earliest of each loop starts a tree
    for (SpanEntry s : spansByStart) {
      walk(s, children, placed, ordered);
    }
    long start = spansByStart.stream().mapToLong(SpanEntry::startNanos).min().orElse(0);
    long end = spansByStart.stream().mapToLong(SpanEntry::endNanos).max().orElse(0);
    LinkedHashSet<String> services = new LinkedHashSet<>();
    ordered.forEach(s -> services.add(s.service()));
    return new Views.TraceView(traceId, Views.time(start), end - start, List.copyOf(services), ordered, partial,
        List.of());
  }

  public static Views.TraceSummary summary(Views.TraceView trace) {
    Views.SpanView root = trace.spans().get(0);
    int errors = (int) trace.spans().stream().filter(s -> "ERROR".equals(s.status())).count();
    return new Views.TraceSummary(trace.traceId(), root.service(), root.name(), trace.startTime(),
        trace.durationNanos(), trace.spans().size(), errors, trace.services());
  }

  /**
   * The span {@code child} hangs under among those of its parent's id: its own project's first, since
   * another project's integration that learnt the trace id (the gateway names it on every answer)
   * can send spans of any id; another project's when none is its own (a call across projects).
   */
  private static SpanEntry parentOf(SpanEntry child, List<SpanEntry> candidates) {
    if (candidates == null) {
      return null;
    }
    for (SpanEntry candidate : candidates) {
      if (candidate.owner().project().equals(child.owner().project())) {
        return candidate;
      }
    }
    return candidates.get(0);
  }

  /** Depth first without recursion (a chain may be as deep as the trace is large); each span placed once. */
  private static void walk(SpanEntry root, Map<SpanEntry, List<SpanEntry>> children, Set<SpanEntry> placed,
      List<Views.SpanView> out) {
    Deque<Step> stack = new ArrayDeque<>();
    stack.push(new Step(root, 0));
    while (!stack.isEmpty()) {
      Step step = stack.pop();
      if (!placed.add(step.span())) {
        continue;
      }
      out.add(Views.SpanView.of(step.span(), step.depth()));
      List<SpanEntry> below = children.getOrDefault(step.span(), List.of());
      for (int i = below.size() - 1; i >= 0; i--) {
        stack.push(new Step(below.get(i), step.depth() + 1));
      }
    }
  }

  private record Step(SpanEntry span, int depth) {}
}
