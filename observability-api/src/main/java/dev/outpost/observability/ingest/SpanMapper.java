package dev.outpost.observability.ingest;

import dev.outpost.observability.store.Owner;
import com.google.protobuf.ByteString;
import dev.outpost.observability.store.SpanEntry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** OTLP spans to stored spans; deterministic, so a journal replay maps them the same. */
final class SpanMapper {

  private SpanMapper() {}

  private static boolean allZero(ByteString id) {
    for (int i = 0; i < id.size(); i++) {
      if (id.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }

  static int count(ExportTraceServiceRequest request) {
    int n = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }

  static Mapped<SpanEntry> map(ExportTraceServiceRequest request, IngestBinding binding, AcceptWindow window) {
    List<SpanEntry> accepted = new ArrayList<>();
    Rejections rejections = new Rejections();
    int index = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Map<String, String> resource = AttributeValues.toMap(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          SpanEntry entry = entry(index++, span, ss.getScope(), resource, binding, window, rejections);
          if (entry != null) {
            accepted.add(entry);
          }
        }
      }
    }
    return new Mapped<>(accepted, index, rejections.total(), rejections.message());
  }

  private static SpanEntry entry(long seq, Span span, InstrumentationScope scope, Map<String, String> resource,
      IngestBinding binding, AcceptWindow window, Rejections rejections) {
    if (span.getTraceId().size() != 16 || span.getSpanId().size() != 8) {
      rejections.add("spans without a 16-byte trace id and an 8-byte span id");
      return null;
    }
    if (allZero(span.getTraceId()) || allZero(span.getSpanId())) {
      // invalid ids (trace.proto): kept, every such span fell into one trace 000...0, cut at its cap
      rejections.add("spans with an all-zero trace id or span id");
      return null;
    }
    if (span.getStartTimeUnixNano() == 0) {
      // told as such, not as "older than the retention period"
      rejections.add("spans without a start time");
      return null;
    }
    Map<String, String> attributes = AttributeValues.toMap(span.getAttributesList(), scope);
    Owner owner = OwnerResolver.resolve(attributes, resource, binding);
    if (owner == null) {
      rejections.add("spans " + OwnerResolver.NO_PROJECT);
      return null;
    }
    String tooFar = window.check(span.getStartTimeUnixNano());
    if (tooFar != null) {
      rejections.add("spans " + tooFar);
      return null;
    }
    List<SpanEntry.Event> events = new ArrayList<>(span.getEventsCount());
    for (Span.Event e : span.getEventsList()) {
      events.add(new SpanEntry.Event(e.getTimeUnixNano(), e.getName(), AttributeValues.toMap(e.getAttributesList())));
    }
    List<SpanEntry.Link> links = new ArrayList<>(span.getLinksCount());
    for (Span.Link l : span.getLinksList()) {
      // a link without whole ids points nowhere: left out, the span kept
      if (l.getTraceId().size() == 16 && l.getSpanId().size() == 8) {
        links.add(new SpanEntry.Link(AttributeValues.hex(l.getTraceId()), AttributeValues.hex(l.getSpanId()),
            AttributeValues.toMap(l.getAttributesList())));
      }
    }
    return new SpanEntry(seq, AttributeValues.hex(span.getTraceId()), AttributeValues.hex(span.getSpanId()),
        AttributeValues.hex(span.getParentSpanId()), span.getName(), kind(span.getKindValue()),
        span.getStartTimeUnixNano(), Math.max(span.getStartTimeUnixNano(), span.getEndTimeUnixNano()),
        status(span.getStatus().getCodeValue()), span.getStatus().getMessage(), owner, attributes, resource, events,
        links);
  }

  static String kind(int value) {
    return switch (value) {
      case 1 -> "INTERNAL";
      case 2 -> "SERVER";
      case 3 -> "CLIENT";
      case 4 -> "PRODUCER";
      case 5 -> "CONSUMER";
      default -> "UNSPECIFIED";
    };
  }

  static String status(int value) {
    return switch (value) {
      case 1 -> "OK";
      case 2 -> "ERROR";
      default -> "UNSET";
    };
  }
}
