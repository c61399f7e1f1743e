package dev.outpost.observability.store;

import java.util.List;
import java.util.Map;

/**
 * One stored span. Ids are lower-case hex; {@code parentSpanId} is empty for a root span.
 *
 * @param kind INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER or UNSPECIFIED
 * @param status UNSET, OK or ERROR
 */
public record SpanEntry(
    long seq,
    String traceId,
    String spanId,
    String parentSpanId,
    String name,
    String kind,
    long startNanos,
    long endNanos,
    String status,
    String statusMessage,
    Owner owner,
    Map<String, String> attributes,
    Map<String, String> resource,
    List<Event> events,
    List<Link> links) {

  /** Spans stored before links were kept have none. */
  public SpanEntry {
    links = links == null ? List.of() : links;
  }

  /** A span event (OTLP) — a Jaeger log. */
  public record Event(long timeNanos, String name, Map<String, String> attributes) {}

  /** A link to a span of this or another trace (OTLP), such as a message's producer — Jaeger's FOLLOWS_FROM. */
  public record Link(String traceId, String spanId, Map<String, String> attributes) {}

  /** The same span at another seq. */
  public SpanEntry withSeq(long newSeq) {
    return new SpanEntry(newSeq, traceId, spanId, parentSpanId, name, kind, startNanos, endNanos, status,
        statusMessage, owner, attributes, resource, events, links);
  }

  public long durationNanos() {
    return Math.max(0, endNanos - startNanos);
  }
}
