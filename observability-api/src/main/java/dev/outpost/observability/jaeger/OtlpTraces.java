package dev.outpost.observability.jaeger;

import com.google.protobuf.ByteString;
import dev.outpost.observability.store.SpanEntry;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stored spans back to OTLP {@code TracesData}, grouped by resource: what Jaeger's API v3 returns. */
final class OtlpTraces {

  private static final List<String> KINDS = List.of("UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER",
      "CONSUMER");
  private static final List<String> STATUSES = List.of("UNSET", "OK", "ERROR");

  private OtlpTraces() {}

  static TracesData of(List<SpanEntry> spans) {
    Map<Map<String, String>, ScopeSpans.Builder> byResource = new LinkedHashMap<>();
    for (SpanEntry s : spans) {
      Map<String, String> resource = new LinkedHashMap<>(s.resource());
      resource.putIfAbsent("service.name", s.owner().service());
      byResource.computeIfAbsent(resource, r -> ScopeSpans.newBuilder()).addSpans(span(s));
    }
    TracesData.Builder data = TracesData.newBuilder();
    byResource.forEach((resource, scope) -> data.addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(attributes(resource))).addScopeSpans(scope)));
    return data.build();
  }

  private static Span span(SpanEntry s) {
    Span.Builder span = Span.newBuilder()
        .setTraceId(id(s.traceId())).setSpanId(id(s.spanId())).setName(s.name())
        .setKindValue(Math.max(0, KINDS.indexOf(s.kind())))
        .setStartTimeUnixNano(s.startNanos()).setEndTimeUnixNano(s.endNanos())
        .addAllAttributes(attributes(s.attributes()))
        .setStatus(Status.newBuilder().setCodeValue(Math.max(0, STATUSES.indexOf(s.status())))
            .setMessage(s.statusMessage()));
    if (!s.parentSpanId().isEmpty()) {
      span.setParentSpanId(id(s.parentSpanId()));
    }
    for (SpanEntry.Event e : s.events()) {
      span.addEvents(Span.Event.newBuilder().setTimeUnixNano(e.timeNanos()).setName(e.name())
          .addAllAttributes(attributes(e.attributes())));
    }
    for (SpanEntry.Link l : s.links()) {
      span.addLinks(Span.Link.newBuilder().setTraceId(id(l.traceId())).setSpanId(id(l.spanId()))
          .addAllAttributes(attributes(l.attributes())));
    }
    return span.build();
  }

  private static List<KeyValue> attributes(Map<String, String> map) {
    return map.entrySet().stream().map(e -> KeyValue.newBuilder().setKey(e.getKey())
        .setValue(AnyValue.newBuilder().setStringValue(e.getValue())).build()).toList();
  }

  private static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }
}
