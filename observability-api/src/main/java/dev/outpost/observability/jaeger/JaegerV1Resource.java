package dev.outpost.observability.jaeger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.query.ApiException;
import dev.outpost.observability.query.Params;
import dev.outpost.observability.security.CallerScope;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.TraceSearch;
import dev.outpost.observability.store.TraceStore;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Jaeger query API v1 (what Jaeger UI calls), restricted to the caller's projects. Errors use the
 * Jaeger envelope ({@code errors: [{code, msg}]}).
 */
@Path("/jaeger/api")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class JaegerV1Resource {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject JaegerQueries queries;
  @Inject CallerScope caller;

  @GET
  @Path("/services")
  public Response services() {
    return envelope(() -> queries.services(scope()));
  }

  @GET
  @Path("/services/{service}/operations")
  public Response serviceOperations(@RestPath String service) {
    return envelope(() -> queries.operations(scope(), service, null).stream().map(o -> o.name()).distinct().toList());
  }

  @GET
  @Path("/operations")
  public Response operations(@RestQuery String service, @RestQuery String spanKind) {
    return envelope(() -> queries.operations(scope(), service, spanKind).stream()
        .map(o -> new JaegerJson.Operation(o.name(), JaegerJson.kindName(o.kind()))).toList());
  }

  @GET
  @Path("/traces/{traceId}")
  public Response trace(@RestPath String traceId) {
    try {
      return queries.trace(scope(), traceId)
          .map(found -> Response.ok(JaegerJson.Envelope.of(List.of(JaegerJson.trace(found.spans().get(0).traceId(),
              found.spans(), found.partial())))))
          .orElseGet(() -> Response.status(404).entity(JaegerJson.Envelope.error(404, "trace not found")))
          .build();
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  @GET
  @Path("/traces")
  public Response search(@RestQuery String service, @RestQuery String operation, @RestQuery String tags,
      @RestQuery List<String> tag, @RestQuery String start, @RestQuery String end, @RestQuery String lookback,
      @RestQuery String minDuration, @RestQuery String maxDuration, @RestQuery String limit) {
    return envelope(() -> {
      if (service == null || service.isBlank()) {
        throw ApiException.badRequest("parameter 'service' is required");
      }
      return queries.search(scope(), JaegerQueries.microsRange(start, end, lookback), service, operation,
              tags(tags, tag), Params.durations("minDuration", minDuration, "maxDuration", maxDuration), "limit", limit)
          .stream().map(spans -> JaegerJson.trace(spans.get(0).traceId(), spans)).toList();
    });
  }

  private ProjectScope scope() {
    return caller.scope(Optional.empty());
  }

  /** {@code tags={"k":"v"}} (JSON) and {@code tag=k:v} (repeated) together. */
  private static Map<String, String> tags(String json, List<String> pairs) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (json != null && !json.isBlank()) {
      try {
        Map<String, Object> parsed = JSON.readValue(json, new TypeReference<>() {});
        if (parsed == null) {
          throw ApiException.badRequest("tags must be a JSON object of strings, such as {\"http.status_code\":\"500\"}");
        }
        parsed.forEach((k, v) -> tags.put(k, String.valueOf(v)));
      } catch (IOException e) {
        throw ApiException.badRequest("tags must be a JSON object of strings, such as {\"http.status_code\":\"500\"}");
      }
    }
    for (String pair : pairs == null ? List.<String>of() : pairs) {
      int colon = pair.indexOf(':');
      if (colon <= 0) {
        throw ApiException.badRequest("tag must be key:value, got '" + pair + "'");
      }
      tags.put(pair.substring(0, colon), pair.substring(colon + 1));
    }
    if (tags.size() > TraceSearch.MAX_ATTRIBUTE_CONDITIONS) {
      throw ApiException.badRequest("tags and tag together name at most " + TraceSearch.MAX_ATTRIBUTE_CONDITIONS
          + " conditions, got " + tags.size());
    }
    return tags;
  }

  private Response envelope(Supplier<List<?>> data) {
    try {
      return Response.ok(JaegerJson.Envelope.of(data.get())).build();
    } catch (RuntimeException e) {
      return error(JaegerQueries.asApiError(e));
    }
  }

  private static Response error(ApiException e) {
    return Response.status(e.status()).entity(JaegerJson.Envelope.error(e.status(), e.getMessage())).build();
  }
}
