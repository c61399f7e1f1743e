package dev.outpost.observability.query;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.security.CallerScope;
import dev.outpost.observability.store.LogStore;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.TimeRange;
import dev.outpost.observability.store.TraceBatch;
import dev.outpost.observability.store.TraceSearch;
import dev.outpost.observability.store.TraceStore;
import io.quarkus.security.Authenticated;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** {@code /api/v1/traces} and {@code /api/v1/services}, limited to the caller's projects. */
@Path("/api/v1")
@SearchEndpoint
@StrictQueryParams
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class TracesResource {

  @Inject TraceStore traces;
  @Inject LogStore logs;
  @Inject CallerScope caller;
  @Inject ObservabilityConfig config;
  @Inject QueryMemory memory;
  @Inject CurrentVertxRequest request;

  @GET
  @Path("/traces/{traceId}")
  public Views.TraceView trace(@RestPath String traceId, @RestQuery String project) {
    String id = Params.traceId(traceId);
    TraceStore.TraceSpans found = traces.trace(caller.scope(Optional.ofNullable(project)), id,
        memory.forAnswer(request.getCurrent()));
    // a trace is looked for in every day
    List<String> unreadable = Views.days(traces.unreadableDays(TimeRange.ALL));
    if (found.spans().isEmpty()) {
      throw new ApiException(404, "not_found", "no trace " + id + " in your projects" + (unreadable.isEmpty() ? ""
          : "; the days " + String.join(", ", unreadable) + " could not be read (their index is damaged), and it may"
              + " be there"));
    }
    return SpanTree.of(id, found.spans(), found.partial()).without(unreadable);
  }

  @GET
  @Path("/traces")
  @StrictQueryParams(prefix = "attr.")
  public Views.TracesView search(@RestQuery String service, @RestQuery String operation,
      @RestQuery String minDuration, @RestQuery String maxDuration, @RestQuery String from, @RestQuery String to,
      @RestQuery String lookback, @RestQuery String project, @RestQuery String q, @RestQuery String limit,
      @Context UriInfo uri) {
    ProjectScope scope = caller.scope(Optional.ofNullable(project));
    Params.DurationBounds durations = Params.durations("minDuration", minDuration, "maxDuration", maxDuration);
    TimeRange range = Params.range(from, to, lookback, Params.DEFAULT_RANGE);
    TraceSearch search = new TraceSearch(scope, range, present(service),
        present(operation), attributeParams(uri), durations.min(), durations.max(), q, Params.limit(limit, 20, Math.min(100, config.query().maxLimit())));
    TraceStore.FoundTraces ids = traces.findTraceIds(search);
    TraceBatch found = traces.traces(scope, ids.ids(), memory.forAnswer(request.getCurrent()));
    List<Views.TraceSummary> summaries = new ArrayList<>();
    for (List<SpanEntry> spans : found.traces()) {
      summaries.add(SpanTree.summary(SpanTree.of(spans.get(0).traceId(), spans)));
    }
    List<String> unreadable = Views.days(traces.unreadableDays(range));
    return new Views.TracesView(summaries, found.partial() || ids.partial() || !unreadable.isEmpty(), unreadable);
  }

  @GET
  @Path("/services")
  public Views.ServicesView services(@RestQuery String from, @RestQuery String to, @RestQuery String project) {
    ProjectScope scope = caller.scope(Optional.ofNullable(project));
    TimeRange range = Params.range(from, to, Duration.ofDays(7));
    TreeSet<String> services = new TreeSet<>(traces.services(scope, range));
    services.addAll(logs.services(scope, range));
    TreeSet<LocalDate> unreadable = new TreeSet<>(traces.unreadableDays(range));
    unreadable.addAll(logs.unreadableDays(range));
    return new Views.ServicesView(List.copyOf(services), !unreadable.isEmpty(), Views.days(unreadable));
  }

  /** {@code attr.<key>=<value>} parameters: exact attribute conditions. */
  static Map<String, String> attributeParams(UriInfo uri) {
    Map<String, String> attributes = new LinkedHashMap<>();
    uri.getQueryParameters().forEach((name, values) -> {
      if (name.startsWith("attr.") && name.length() > 5 && !values.isEmpty()) {
        attributes.put(name.substring(5), values.get(0));
      }
    });
    if (attributes.size() > TraceSearch.MAX_ATTRIBUTE_CONDITIONS) {
      throw ApiException.badRequest("at most " + TraceSearch.MAX_ATTRIBUTE_CONDITIONS + " attr.<key> parameters, got "
          + attributes.size());
    }
    return attributes;
  }

  static Optional<String> present(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }
}
