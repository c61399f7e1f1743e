package dev.outpost.observability.query;

import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.SpanEntry;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the query API. Times are RFC 3339 strings with nanoseconds. */
public final class Views {

  private Views() {}

  public record LogView(String timestamp, String observedTimestamp, String severity, int severityNumber, String body,
      String service, String project, String integration, String integrationVersion, String route, String event,
      String traceId, String spanId, Map<String, String> attributes, Map<String, String> resource) {

    public static LogView of(LogEntry e) {
      return new LogView(time(e.timeNanos()), time(e.observedNanos()), e.severity(), e.severityNumber(), e.body(),
          e.owner().service(), e.owner().project(), e.owner().integration(), e.owner().integrationVersion(),
          e.owner().route(), e.event(), e.traceId(), e.spanId(), e.attributes(), e.resource());
    }
  }

  /**
   * A page of records, and the range [from, to) its listing covers: with a {@code lookback}, the
   * server's, which a histogram of the same records must be asked for.
   */
  public record LogsPage(List<LogView> records, String nextCursor, boolean partial, List<String> unreadableDays,
      String from, String to) {}

  public record BucketView(String start, long count) {}

  public record HistogramView(String interval, long total, List<BucketView> buckets, boolean partial,
      List<String> unreadableDays) {}

  public record EventView(String timestamp, String name, Map<String, String> attributes) {}

  public record SpanView(String traceId, String spanId, String parentSpanId, int depth, String name, String kind,
      String startTime, long startUnixNano, long durationNanos, String status, String statusMessage, String service,
      String project, String integration, String route, Map<String, String> attributes, Map<String, String> resource,
      List<EventView> events, List<SpanEntry.Link> links) {

    public static SpanView of(SpanEntry s, int depth) {
      return new SpanView(s.traceId(), s.spanId(), s.parentSpanId(), depth, s.name(), s.kind(), time(s.startNanos()),
          s.startNanos(), s.durationNanos(), s.status(), s.statusMessage(), s.owner().service(), s.owner().project(),
          s.owner().integration(), s.owner().route(), s.attributes(), s.resource(),
          s.events().stream().map(e -> new EventView(time(e.timeNanos()), e.name(), e.attributes())).toList(),
          s.links());
    }
  }

  /**
   * A trace's visible spans as a tree; {@code partial} when spans were left out to stay within the
   * answer's budgets, or days could not be read ({@code unreadableDays}).
   */
  public record TraceView(String traceId, String startTime, long durationNanos, List<String> services,
      List<SpanView> spans, boolean partial, List<String> unreadableDays) {

    /** This trace read without the {@code days} that could not be read, partial when there are any. */
    public TraceView without(List<String> days) {
      return new TraceView(traceId, startTime, durationNanos, services, spans, partial || !days.isEmpty(), days);
    }
  }

  public record TraceSummary(String traceId, String rootService, String rootName, String startTime,
      long durationNanos, int spanCount, int errorCount, List<String> services) {}

  public record TracesView(List<TraceSummary> traces, boolean partial, List<String> unreadableDays) {}

  public record ServicesView(List<String> services, boolean partial, List<String> unreadableDays) {}

  /**
   * The days an answer could not read (their index is damaged), as {@code yyyy-mm-dd} (UTC): the
   * answer holds what the other days hold, and is marked partial. Elasticsearch answers so with
   * {@code _shards.failed}.
   */
  public static List<String> days(Collection<LocalDate> unreadable) {
    return unreadable.stream().map(LocalDate::toString).toList();
  }

  public static String time(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
  }
}
