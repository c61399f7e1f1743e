package dev.outpost.observability.jaeger;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.outpost.observability.store.SpanEntry;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Jaeger query API v1 JSON: the {@code {data,total,limit,offset,errors}} envelope, µs timestamps,
 * processes keyed {@code p1…} per distinct service and resource.
 */
final class JaegerJson {

  record Envelope(Object data, int total, int limit, int offset, List<Error> errors) {
    static Envelope of(List<?> data, List<Error> errors) {
      return new Envelope(data, data.size(), 0, 0, errors.isEmpty() ? null : errors);
    }

    static Envelope error(int code, String message) {
      return new Envelope(null, 0, 0, 0, List.of(new Error(code, message, null)));
    }
  }

  /** One link of Jaeger's service graph ({@code /api/dependencies}). */
  record DependencyLink(String parent, String child, long callCount) {}

  /**
   * The graph in Jaeger's envelope, and {@code partial: true} when spans were left out (the time or
   * memory budget ran out, or days stored before the graph was kept): a field Jaeger UI and Grafana
   * pass over, where an error would have Grafana throw the graph away.
   */
  record GraphEnvelope(List<DependencyLink> data, int total, int limit, int offset, List<Error> errors,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean partial) {}

  /** {@code code} 0 and {@code traceID} null are left out, as Jaeger leaves them. */
  record Error(@JsonInclude(JsonInclude.Include.NON_DEFAULT) int code, String msg,
      @JsonInclude(JsonInclude.Include.NON_NULL) String traceID) {}

  /**
   * What an answer says in {@code errors} when days it covers could not be read (their index is
   * damaged): it holds what the other days hold. Jaeger's query service names a failure of its
   * storage so, with the code of the 500 it then answers. None when every day read.
   */
  static List<Error> unreadable(Collection<LocalDate> days) {
    return days.isEmpty() ? List.of()
        : List.of(new Error(500, unreadableDays(days) + ": this answer holds what the other days hold", null));
  }

  /** Names the days that could not be read, as the answers' messages do. */
  static String unreadableDays(Collection<LocalDate> days) {
    return "the days " + days.stream().map(LocalDate::toString).collect(Collectors.joining(", "))
        + " (UTC) could not be read (their index is damaged)";
  }

  record KeyValue(String key, String type, Object value) {}

  record Reference(String refType, String traceID, String spanID) {}

  record Log(long timestamp, List<KeyValue> fields) {}

  record Span(String traceID, String spanID, int flags, String operationName, List<Reference> references,
      long startTime, long duration, List<KeyValue> tags, List<Log> logs, String processID, List<String> warnings) {}

  record Process(String serviceName, List<KeyValue> tags) {}

  record Trace(String traceID, List<Span> spans, Map<String, Process> processes, List<String> warnings) {}

  record Operation(String name, String spanKind) {}

  private JaegerJson() {}

  /** Jaeger UI shows a trace's warnings above it: a trace cut to fit the answer says so. */
  static final String CUT_WARNING = "only the earliest spans are shown: the trace is larger than one answer holds";

  static Trace trace(String traceId, List<SpanEntry> entries, boolean partial) {
    Map<String, String> processIds = new LinkedHashMap<>();
    Map<String, Process> processes = new LinkedHashMap<>();
    List<Span> spans = new ArrayList<>(entries.size());
    for (SpanEntry e : entries) {
      String processKey = e.owner().service() + "\u0000" + e.resource();
      String processId = processIds.computeIfAbsent(processKey, k -> {
        String id = "p" + (processIds.size() + 1);
        processes.put(id, new Process(e.owner().service(), tags(e.resource())));
        return id;
      });
      List<Reference> references = new ArrayList<>(1 + e.links().size());
      if (!e.parentSpanId().isEmpty()) {
        references.add(new Reference("CHILD_OF", e.traceId(), e.parentSpanId()));
      }
      // OpenTelemetry's links are Jaeger's FOLLOWS_FROM, as Jaeger's own OTLP receiver maps them
      e.links().forEach(link -> references.add(new Reference("FOLLOWS_FROM", link.traceId(), link.spanId())));
      List<KeyValue> tags = tags(e.attributes());
      if (!"UNSPECIFIED".equals(e.kind()) && !"INTERNAL".equals(e.kind())) {
        tags.add(new KeyValue("span.kind", "string", e.kind().toLowerCase(Locale.ROOT)));
      }
      if ("ERROR".equals(e.status())) {
        tags.add(new KeyValue("error", "bool", true));
      }
      if (!"UNSET".equals(e.status())) {
        tags.add(new KeyValue("otel.status_code", "string", e.status()));
      }
      if (!e.statusMessage().isEmpty()) {
        tags.add(new KeyValue("otel.status_description", "string", e.statusMessage()));
      }
      List<Log> logs = new ArrayList<>();
      for (SpanEntry.Event event : e.events()) {
        List<KeyValue> fields = tags(event.attributes());
        fields.add(0, new KeyValue("event", "string", event.name()));
        logs.add(new Log(event.timeNanos() / 1000, fields));
      }
      spans.add(new Span(e.traceId(), e.spanId(), 1, e.name(), references, e.startNanos() / 1000,
          e.durationNanos() / 1000, tags, logs, processId, null));
    }
    return new Trace(traceId, spans, processes, partial ? List.of(CUT_WARNING) : null);
  }

  static String kindName(String kind) {
    return kind == null || "UNSPECIFIED".equals(kind) ? "" : kind.toLowerCase(Locale.ROOT);
  }

  private static List<KeyValue> tags(Map<String, String> attributes) {
    List<KeyValue> tags = new ArrayList<>(attributes.size() + 3);
    attributes.forEach((k, v) -> tags.add(new KeyValue(k, "string", v)));
    return tags;
  }
}
