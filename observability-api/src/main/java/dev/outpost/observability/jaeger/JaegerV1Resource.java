package dev.outpost.observability.jaeger;

import dev.outpost.observability.query.ApiException;
import dev.outpost.observability.query.ErrorForm;
import dev.outpost.observability.query.Params;
import dev.outpost.observability.query.SearchEndpoint;
import dev.outpost.observability.security.CallerScope;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.ServiceGraph;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.TimeRange;
import dev.outpost.observability.store.TraceBatch;
import dev.outpost.observability.store.TraceStore;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Supplier;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Jaeger query API v1 (what Jaeger UI calls), restricted to the caller's projects. Errors use the
 * Jaeger envelope ({@code errors: [{code, msg}]}); an answer that left out days it covers, their
 * index damaged, holds the other days' data and names those days there.
 */
@Path("/jaeger/api")
@SearchEndpoint(errors = JaegerV1Resource.Errors.class)
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class JaegerV1Resource {


  @Inject JaegerQueries queries;
  @Inject CallerScope caller;

  @GET
  @Path("/services")
  public Response services() {
    return envelope(queries.listingRange(), () -> queries.services(scope()));
  }

  @GET
  @Path("/services/{service}/operations")
  public Response serviceOperations(@RestPath String service) {
    return envelope(queries.listingRange(),
        () -> queries.operations(scope(), service, null).stream().map(o -> o.name()).distinct().toList());
  }

  @GET
  @Path("/operations")
  public Response operations(@RestQuery String service, @RestQuery String spanKind) {
    return envelope(queries.listingRange(), () -> queries.operations(scope(), service, spanKind).stream()
        .map(o -> new JaegerJson.Operation(o.name(), JaegerJson.kindName(o.kind()))).toList());
  }

  /**
   * Which services called which (Jaeger UI's System Architecture, Grafana's dependency graph) in the
   * {@code lookback} milliseconds before {@code endTs}; {@code service} keeps the links of and to it.
   * Days left out make it {@code partial}, not an error: Grafana throws away a graph that has errors.
   */
  @GET
  @Path("/dependencies")
  public Response dependencies(@RestQuery String endTs, @RestQuery String lookback, @RestQuery String service) {
    try {
      ServiceGraph graph = queries.serviceGraph(scope(), endTs, lookback, service);
      List<JaegerJson.DependencyLink> links = graph.links().stream()
          .map(link -> new JaegerJson.DependencyLink(link.parent(), link.child(), link.callCount())).toList();
      return Response.ok(new JaegerJson.GraphEnvelope(links, links.size(), 0, 0, null, graph.partial())).build();
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  @GET
  @Path("/traces/{traceId}")
  public Response trace(@RestPath String traceId) {
    try {
      // a trace is looked for in every day
      Optional<TraceStore.TraceSpans> found = queries.trace(scope(), traceId);
      SortedSet<LocalDate> unreadable = queries.unreadableDays(TimeRange.ALL);
      if (found.isEmpty()) {
        return Response.status(404).entity(JaegerJson.Envelope.error(404, unreadable.isEmpty() ? "trace not found"
            : "trace not found; " + JaegerJson.unreadableDays(unreadable) + ", and it may be there")).build();
      }
      List<SpanEntry> spans = found.get().spans();
      return Response.ok(JaegerJson.Envelope.of(List.of(JaegerJson.trace(spans.get(0).traceId(), spans,
          found.get().partial())), JaegerJson.unreadable(unreadable))).build();
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  @GET
  @Path("/traces")
  public Response search(@RestQuery String service, @RestQuery String operation, @RestQuery String tags,
      @RestQuery List<String> tag, @RestQuery String start, @RestQuery String end, @RestQuery String lookback,
      @RestQuery String minDuration, @RestQuery String maxDuration, @RestQuery String limit,
      @RestQuery("traceID") List<String> traceIds) {
    if (traceIds != null && !traceIds.isEmpty()) {
      // Jaeger answers these traces, whatever else the search names
      return byIds(traceIds);
    }
    try {
      if (service == null || service.isBlank()) {
        throw ApiException.badRequest("parameter 'service' is required");
      }
      TimeRange range = JaegerQueries.microsRange(start, end, lookback);
      return envelope(range, () -> jaegerTraces(queries.search(scope(), range, service, operation,
          JaegerQueries.attributes("tags", tags, "tag", tag),
          Params.durations("minDuration", minDuration, "maxDuration", maxDuration), "limit", limit)));
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  /**
   * The traces named, and an error naming each id not in the answer, as Jaeger answers: Jaeger UI's
   * trace compare marks those instead of waiting for them. To a project a trace of another is not
   * found, as one that never was. A trace left out of a full answer is not called missing. Each
   * trace is looked for in every day: days that could not be read are named too.
   */
  private Response byIds(List<String> ids) {
    try {
      List<String> wanted = JaegerQueries.traceIds(ids, "traceID");
      TraceBatch batch = queries.traces(scope(), wanted);
      List<JaegerJson.Trace> found = jaegerTraces(batch);
      Set<String> foundIds = new HashSet<>();
      batch.traces().forEach(spans -> foundIds.add(spans.get(0).traceId()));
      // a full answer stops at the first trace that does not fit: past it, not found and left out look alike
      String why = batch.partial() ? "trace not found, or not in this answer, which is full: ask for it alone"
          : "trace not found";
      List<JaegerJson.Error> errors = new ArrayList<>();
      wanted.stream().filter(id -> !foundIds.contains(id))
          .forEach(id -> errors.add(new JaegerJson.Error(batch.partial() ? 0 : 404, why, id)));
      errors.addAll(JaegerJson.unreadable(queries.unreadableDays(TimeRange.ALL)));
      return Response.ok(JaegerJson.Envelope.of(found, errors)).build();
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  /** Each trace in Jaeger's model, a cut one with its warning, as the trace view shows it. */
  private static List<JaegerJson.Trace> jaegerTraces(TraceBatch batch) {
    List<JaegerJson.Trace> listed = new ArrayList<>(batch.traces().size());
    for (int i = 0; i < batch.traces().size(); i++) {
      List<SpanEntry> spans = batch.traces().get(i);
      listed.add(JaegerJson.trace(spans.get(0).traceId(), spans, batch.cut(i)));
    }
    return listed;
  }

  private ProjectScope scope() {
    return caller.scope(Optional.empty());
  }

  /** {@code data}, read over {@code range}, in Jaeger's envelope, with the days of it that could not be read. */
  private Response envelope(TimeRange range, Supplier<List<?>> data) {
    try {
      List<?> read = data.get();
      return Response.ok(JaegerJson.Envelope.of(read, JaegerJson.unreadable(queries.unreadableDays(range)))).build();
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  private static Response error(ApiException e) {
    return new Errors().answer(e);
  }

  /** Jaeger's error envelope, {@code {errors: [{code, msg}]}}. */
  public static final class Errors implements ErrorForm {
    @Override
    public Response answer(ApiException refused) {
      return refused.answer(JaegerJson.Envelope.error(refused.status(), refused.getMessage()));
    }
  }
}
