package dev.outpost.observability.jaeger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.query.ApiException;
import dev.outpost.observability.query.Params;
import dev.outpost.observability.query.QueryMemory;
import dev.outpost.observability.retention.RetentionPolicy;
import dev.outpost.observability.store.InvalidQueryException;
import dev.outpost.observability.store.QueryTimedOutException;
import dev.outpost.observability.store.Operation;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.ServiceGraph;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.TimeRange;
import dev.outpost.observability.store.TraceBatch;
import dev.outpost.observability.store.TraceSearch;
import dev.outpost.observability.store.TraceStore;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.lucene.queryparser.classic.QueryParser;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/** What the v1 and v3 Jaeger endpoints share: ranges, searches and lookups on the trace store. */
@ApplicationScoped
public class JaegerQueries {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Trace ids one lookup names at most, as a search's limit. */
  static final int MAX_TRACE_IDS = 100;

  @Inject TraceStore traces;
  @Inject RetentionPolicy retention;
  @Inject ObservabilityConfig config;
  @Inject QueryMemory memory;
  @Inject CurrentVertxRequest request;

  /**
   * Services and operations are listed over the traces' retention, which the control plane sets: over
   * a fixed week, a service idle longer had stored traces that Jaeger UI, which searches by service,
   * could not reach.
   */
  TimeRange listingRange() {
    long now = System.currentTimeMillis() * 1_000_000L;
    return new TimeRange(now - retention.traces().toNanos(), now + 1);
  }

  List<String> services(ProjectScope scope) {
    return List.copyOf(traces.services(scope, listingRange()));
  }

  List<Operation> operations(ProjectScope scope, String service, String spanKind) {
    if (service == null || service.isBlank()) {
      throw ApiException.badRequest("parameter 'service' is required");
    }
    String kind = spanKind == null || spanKind.isBlank() ? null : spanKind.trim().toUpperCase(Locale.ROOT);
    return traces.operations(scope, listingRange(), service, kind);
  }

  /**
   * The days of {@code range} that answers left out, their index damaged ({@link
   * TraceStore#unreadableDays}); asked after the read, which may find one.
   */
  SortedSet<LocalDate> unreadableDays(TimeRange range) {
    return traces.unreadableDays(range);
  }

  Optional<TraceStore.TraceSpans> trace(ProjectScope scope, String traceId) {
    TraceStore.TraceSpans found = traces.trace(scope, Params.traceId(normalise(traceId)), memory.forAnswer(request.getCurrent()));
    return found.spans().isEmpty() ? Optional.empty() : Optional.of(found);
  }

  /** The graph's lookback when none is given: Jaeger's. */
  static final Duration GRAPH_LOOKBACK = Duration.ofDays(1);

  /**
   * The calls between services in the {@code lookback} milliseconds before {@code endTs} (Unix
   * milliseconds), by default a day before now, as Jaeger's; with {@code service}, the links of and
   * to it.
   */
  ServiceGraph serviceGraph(ProjectScope scope, String endTs, String lookback, String service) {
    long to = millis("endTs", endTs).map(ms -> nanos("endTs", ms))
        .orElseGet(() -> System.currentTimeMillis() * 1_000_000L + 1);
    long back = millis("lookback", lookback).orElse(GRAPH_LOOKBACK.toMillis());
    if (back <= 0) {
      throw ApiException.badRequest("lookback must be a positive number of milliseconds, got " + back);
    }
    if (back > Params.MAX_RANGE.toMillis()) {
      throw ApiException.badRequest("lookback must not be longer than " + Params.MAX_RANGE.toDays() + " days ("
          + Params.MAX_RANGE.toMillis() + " ms), got " + back);
    }
    TimeRange range = Params.range(Params.before(to, Duration.ofMillis(back)), to, "endTs - lookback", "endTs");
    ServiceGraph read = traces.serviceGraph(scope, range, memory.forAnswer(request.getCurrent()));
    // a day that could not be read (its index damaged) counted no call
    ServiceGraph graph = new ServiceGraph(read.links(), read.partial() || !traces.unreadableDays(range).isEmpty());
    Optional<String> named = present(service);
    return named.isEmpty() ? graph : new ServiceGraph(graph.links().stream()
        .filter(link -> link.parent().equals(named.get()) || link.child().equals(named.get())).toList(), graph.partial());
  }

  private static Optional<Long> millis(String name, String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " must be a whole number of milliseconds, got '"
          + Params.abbreviate(value) + "'");
    }
  }

  private static long nanos(String name, long millis) {
    try {
      return Math.multiplyExact(millis, 1_000_000L);
    } catch (ArithmeticException e) {
      throw ApiException.badRequest(name + " is out of range: Unix epoch milliseconds, got " + millis);
    }
  }

  /** The trace ids parameter {@code name} gives, each 32 hex digits, without repeats. */
  static List<String> traceIds(List<String> ids, String name) {
    if (ids.size() > MAX_TRACE_IDS) {
      throw ApiException.badRequest(name + " names at most " + MAX_TRACE_IDS + " traces, got " + ids.size());
    }
    return ids.stream().map(id -> {
      try {
        return Params.traceId(normalise(id));
      } catch (ApiException e) {
        throw ApiException.badRequest(name + " must be 32 hex characters, got '" + id + "'");
      }
    }).distinct().toList();
  }

  /**
   * The traces of {@code ids} ({@link #traceIds}) found in scope, each with its visible spans, as many
   * as fit one answer (Jaeger UI's trace compare and lookup of several ids).
   */
  TraceBatch traces(ProjectScope scope, List<String> ids) {
    return traces.traces(scope, ids, memory.forAnswer(request.getCurrent()));
  }

  /** Traces matching the search, each with its visible spans, newest first, as many as fit one answer. */
  TraceBatch search(ProjectScope scope, TimeRange range, String service, String operation,
      Map<String, String> tags, Params.DurationBounds durations, String limitName, String limit) {
    int max100 = Math.min(100, config.query().maxLimit());
    int n = Params.integer(limitName, limit).filter(v -> v != 0).orElse(Math.min(20, max100));
    if (n < 0 || n > max100) {
      throw ApiException.badRequest(limitName + " must be between 1 and " + max100 + ", got " + n);
    }
    Map<String, String> attributes = new LinkedHashMap<>(tags);
    String text = statusAndKindText(attributes);
    TraceSearch search = new TraceSearch(scope, range, present(service), present(operation), attributes,
        durations.min(), durations.max(), text, n);
    return traces.traces(scope, traces.findTraceIds(search).ids(), memory.forAnswer(request.getCurrent()));
  }

  /**
   * Attribute conditions of a search: {@code jsonName} a JSON object of strings ({@code tags={"k":"v"}},
   * v3's {@code query.attributes}) and {@code pairName} repeated {@code k:v} pairs, together.
   */
  static Map<String, String> attributes(String jsonName, String json, String pairName, List<String> pairs) {
    Map<String, String> tags = new LinkedHashMap<>();
    String expected = jsonName + " must be a JSON object of strings, such as {\"http.status_code\":\"500\"}";
    if (json != null && !json.isBlank()) {
      try {
        Map<String, Object> parsed = JSON.readValue(json, new TypeReference<>() {});
        if (parsed == null) {
          throw ApiException.badRequest(expected);
        }
        for (Map.Entry<String, Object> tag : parsed.entrySet()) {
          // a number or a boolean is searched for as its text; null, a list or an object is no value
          if (!(tag.getValue() instanceof String || tag.getValue() instanceof Number || tag.getValue() instanceof Boolean)) {
            throw ApiException.badRequest(expected);
          }
          tags.put(tag.getKey(), String.valueOf(tag.getValue()));
        }
      } catch (IOException e) {
        throw ApiException.badRequest(expected);
      }
    }
    for (String pair : pairs == null ? List.<String>of() : pairs) {
      int colon = pair.indexOf(':');
      if (colon <= 0) {
        throw ApiException.badRequest(pairName + " must be key:value, got '" + pair + "'");
      }
      tags.put(pair.substring(0, colon), pair.substring(colon + 1));
    }
    if (tags.size() > TraceSearch.MAX_ATTRIBUTE_CONDITIONS) {
      throw ApiException.badRequest((pairName == null ? jsonName : jsonName + " and " + pairName + " together")
          + " name at most " + TraceSearch.MAX_ATTRIBUTE_CONDITIONS + " conditions, got " + tags.size());
    }
    return tags;
  }

  /**
   * Takes out of {@code tags} the ones {@link JaegerJson} makes up from a span's kind and status
   * ({@code error}, {@code span.kind}, {@code otel.status_code}), which Jaeger UI offers to search by
   * (error=true finds failed traces), and returns them as query text on the kind and status fields,
   * or on an attribute of that name a span may also carry. Spans store kind and status as fields, not
   * attributes, and these searches found nothing.
   */
  static String statusAndKindText(Map<String, String> tags) {
    List<String> conditions = new ArrayList<>();
    String error = tags.get("error");
    if (error != null && error.trim().equalsIgnoreCase("true")) {
      tags.remove("error");
      conditions.add(either("status", "ERROR", "error", error));
    }
    String kind = tags.remove("span.kind");
    if (kind != null) {
      conditions.add(either("kind", kind.trim().toUpperCase(Locale.ROOT), "span.kind", kind));
    }
    String status = tags.remove("otel.status_code");
    if (status != null) {
      conditions.add(either("status", status.trim().toUpperCase(Locale.ROOT), "otel.status_code", status));
    }
    return String.join(" AND ", conditions);
  }

  private static String either(String field, String value, String attribute, String attributeValue) {
    return "(" + field + ":\"" + QueryParser.escape(value) + "\" OR attr." + attribute + ":\""
        + QueryParser.escape(attributeValue) + "\")";
  }

  /** [startMicros, endMicros) or the lookback before now (default 1 h). */
  static TimeRange microsRange(String start, String end, String lookback) {
    long now = System.currentTimeMillis() * 1_000_000L + 1;
    long to = micros("end", end).orElse(now);
    Duration back = "custom".equals(lookback) ? Duration.ofHours(1)
        : Params.duration("lookback", lookback).orElse(Duration.ofHours(1));
    long from = micros("start", start).orElse(Params.before(to, back));
    return Params.range(from, to, "start", "end");
  }

  private static Optional<Long> micros(String name, String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Math.multiplyExact(Long.parseLong(value.trim()), 1000L));
    } catch (NumberFormatException | ArithmeticException e) {
      throw ApiException.badRequest(name + " must be Unix epoch microseconds, got '" + value + "'");
    }
  }

  /** Jaeger trace ids may be shorter than 32 hex digits (leading zeros dropped). */
  static String normalise(String traceId) {
    if (traceId != null && traceId.matches("[0-9a-fA-F]{1,31}")) {
      return "0".repeat(32 - traceId.length()) + traceId;
    }
    return traceId;
  }

  static Optional<String> present(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /** Maps a caller's mistake to (status, message); anything else is rethrown. */
  static ApiException asApiError(RuntimeException e) {
    if (e instanceof ApiException api) {
      return api;
    }
    if (e instanceof InvalidQueryException invalid) {
      return ApiException.badRequest(invalid.getMessage());
    }
    if (e instanceof QueryTimedOutException timedOut) {
      return new ApiException(503, "query_timeout", timedOut.getMessage());
    }
    throw e;
  }
}
