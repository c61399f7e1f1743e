package dev.outpost.observability.jaeger;

import dev.outpost.observability.ingest.OtlpJson;
import dev.outpost.observability.query.ApiException;
import dev.outpost.observability.query.Params;
import dev.outpost.observability.security.CallerScope;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.TimeRange;
import dev.outpost.observability.store.TraceStore;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Jaeger query API v3 over HTTP (what Grafana's Jaeger data source calls): services, operations,
 * trace by id and trace search; traces as OTLP JSON in {@code {"result": …}}, errors as
 * {@code {"error": {httpCode, message}}}.
 */
@Path("/jaeger/api/v3")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class JaegerV3Resource {

  @Inject JaegerQueries queries;
  @Inject CallerScope caller;

  record Operation(String name, String spanKind) {}

  record ErrorBody(int httpCode, String message) {}

  @GET
  @Path("/services")
  public Response services() {
    return answer(() -> Map.of("services", queries.services(scope())));
  }

  @GET
  @Path("/operations")
  public Response operations(@RestQuery String service, @RestQuery("span_kind") String spanKind) {
    return answer(() -> Map.of("operations", queries.operations(scope(), service, spanKind).stream()
        .map(o -> new Operation(o.name(), JaegerJson.kindName(o.kind()))).toList()));
  }

  @GET
  @Path("/traces/{traceId}")
  public Response trace(@RestPath String traceId) {
    try {
      Optional<TraceStore.TraceSpans> found = queries.trace(scope(), traceId);
      if (found.isEmpty()) {
        return error(new ApiException(404, "not_found", "trace not found"));
      }
      return result(found.get().spans());
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  @GET
  @Path("/traces")
  public Response search(@RestQuery("query.service_name") String service,
      @RestQuery("query.operation_name") String operation, @RestQuery("query.start_time_min") String startMin,
      @RestQuery("query.start_time_max") String startMax, @RestQuery("query.duration_min") String durationMin,
      @RestQuery("query.duration_max") String durationMax, @RestQuery("query.search_depth") String depth,
      @RestQuery("query.num_traces") String numTraces, @RestQuery("query.attributes") String attributes) {
    try {
      long now = System.currentTimeMillis() * 1_000_000L + 1;
      long to = Params.instant("query.start_time_max", startMax).orElse(now);
      long from = Params.instant("query.start_time_min", startMin).orElse(Params.before(to, Duration.ofHours(1)));
      TimeRange range = Params.range(from, to, "query.start_time_min", "query.start_time_max");
      // newer Jaeger clients name the number of traces query.num_traces, older ones query.search_depth
      boolean numbered = numTraces != null && !numTraces.isBlank();
      List<SpanEntry> all = queries.search(scope(), range, service, operation,
              JaegerQueries.attributes("query.attributes", attributes, null, null),
              Params.durations("query.duration_min", durationMin, "query.duration_max", durationMax),
              numbered ? "query.num_traces" : "query.search_depth", numbered ? numTraces : depth)
          .traces().stream().flatMap(List::stream).toList();
      return result(all);
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  private ProjectScope scope() {
    return caller.scope(Optional.empty());
  }

  private static Response result(List<SpanEntry> spans) {
    String json = "{\"result\":" + OtlpJson.print(OtlpTraces.of(spans)) + "}";
    return Response.ok(json, MediaType.APPLICATION_JSON).build();
  }

  private Response answer(Supplier<Object> body) {
    try {
      return Response.ok(body.get()).build();
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  private static Response error(ApiException e) {
    return Response.status(e.status()).type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", new ErrorBody(e.status(), e.getMessage()))).build();
  }
}
