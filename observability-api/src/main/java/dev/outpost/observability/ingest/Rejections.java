package dev.outpost.observability.ingest;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Counts records rejected from one request by reason, for the OTLP partial_success message. */
final class Rejections {

  private final Map<String, Integer> byReason = new TreeMap<>();
  private long total;

  void add(String reason) {
    byReason.merge(reason, 1, Integer::sum);
    total++;
  }

  long total() {
    return total;
  }

  String message() {
    return byReason.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining("; "));
  }
}
