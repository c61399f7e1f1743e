package dev.outpost.observability.jaeger;

import dev.outpost.observability.ingest.OtlpJson;
import dev.outpost.observability.query.ApiException;
import dev.outpost.observability.query.ErrorForm;
import dev.outpost.observability.query.Params;
import dev.outpost.observability.query.SearchEndpoint;
import dev.outpost.observability.security.CallerScope;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.SpanEntry;
import dev.outpost.observability.store.TimeRange;
import dev.outpost.observability.store.TraceBatch;
import dev.outpost.observability.store.TraceStore;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Jaeger query API v3 over HTTP (what Jaeger UI and Grafana's Jaeger data source call): services,
 * operations, trace by id, trace search and trace summaries; traces as OTLP JSON in
 * {@code {"result": …}}, errors as {@code {"error": {httpCode, message}}}.
 */
@Path("/jaeger/api/v3")
@SearchEndpoint(errors = JaegerV3Resource.Errors.class)
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
  public Response operations(@RestQuery String service, @RestQuery String spanKind,
      @RestQuery("span_kind") String oldSpanKind) {
    String kind = spanKind == null || spanKind.isEmpty() ? oldSpanKind : spanKind;
    return answer(() -> Map.of("operations", queries.operations(scope(), service, kind).stream()
        .map(o -> new Operation(o.name(), v3KindName(o.kind()))).toList()));
  }

  /** Jaeger's v3 names an unspecified kind {@code internal}. */
  private static String v3KindName(String kind) {
    String name = JaegerJson.kindName(kind);
    return name.isEmpty() ? "internal" : name;
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
  public Response search(@Context UriInfo uri) {
    try {
      return result(search(V3SearchParams.of(uri.getQueryParameters())).traces().stream().flatMap(List::stream).toList());
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  /** What Jaeger UI's search lists: each trace the search finds, summarised ({@link TraceSummaries}). */
  @GET
  @Path("/trace-summaries")
  public Response summaries(@Context UriInfo uri) {
    return answer(() -> Map.of("summaries", search(V3SearchParams.of(uri.getQueryParameters())).traces().stream()
        .map(TraceSummaries::of).toList()));
  }

  private TraceBatch search(V3SearchParams p) {
    long now = System.currentTimeMillis() * 1_000_000L + 1;
    long to = Params.instant(p.startMax().name(), p.startMax().value()).orElse(now);
    long from = Params.instant(p.startMin().name(), p.startMin().value()).orElse(Params.before(to, Duration.ofHours(1)));
    TimeRange range = Params.range(from, to, p.startMin().name(), p.startMax().name());
    return queries.search(scope(), range, p.service().value(), p.operation().value(),
        JaegerQueries.attributes(p.attributes().name(), p.attributes().value(), null, null),
        Params.durations(p.durationMin().name(), p.durationMin().value(), p.durationMax().name(), p.durationMax().value()),
        p.depth().name(), p.depth().value());
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
    return new Errors().answer(e);
  }

  /** Jaeger v3's error body, {@code {error: {httpCode, message}}}. */
  public static final class Errors implements ErrorForm {
    @Override
    public Response answer(ApiException refused) {
      return refused.answer(Map.of("error", new ErrorBody(refused.status(), refused.getMessage())));
    }
  }
}
