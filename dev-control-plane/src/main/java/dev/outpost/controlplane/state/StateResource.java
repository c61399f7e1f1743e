package dev.outpost.controlplane.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.controlplane.ApiError;
import dev.outpost.controlplane.Tokens;
import dev.outpost.spec.json.JsonErrors;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.json.YamlAnchors;
import dev.outpost.spec.json.YamlLines;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;
import dev.outpost.spec.state.Violation;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The REST API a developer (or the launcher) uses to say what the data plane should run. Bodies
 * are JSON or YAML; every accepted change bumps the revision and is pushed to connected agents.
 * All of it needs the admin token.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class StateResource {
  // the spec's own mappers: a key given twice, a second document and numbers out of range are
  // refused as everywhere else, not read one way here and another at the agent
  private static final ObjectMapper JSON = Mappers.JSON;
  private static final ObjectMapper YAML = Mappers.YAML;

  private final StateStore store;
  private final Tokens tokens;

  public StateResource(StateStore store, Tokens tokens) {
    this.store = store;
    this.tokens = tokens;
  }

  @GET
  @Path("/state")
  public Response get(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    if (!tokens.isAdmin(authorization)) {
      return ApiError.unauthorized("the admin bearer token is required");
    }
    return store.current()
        .map(s -> Response.ok(StateCodec.toJson(s)).build())
        .orElse(ApiError.of(Response.Status.NOT_FOUND, "not_found", "no state has been put yet"));
  }

  @PUT
  @Path("/state")
  @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
  public Response putState(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, String body) {
    return withDocument(authorization, contentType, body, document -> committed(store::put, document));
  }

  /** A change of the state made from a whole document. */
  @FunctionalInterface
  private interface StateChange {
    DataPlaneState apply(ObjectNode document) throws InvalidStateException;
  }

  /** What an endpoint does with the request's document once it is authorized and parsed. */
  @FunctionalInterface
  private interface DocumentHandler {
    Response handle(ObjectNode document);
  }

  private static Response committed(StateChange change, ObjectNode document) {
    try {
      DataPlaneState state = change.apply(document);
      Map<String, Object> summary = summary(state);
      summary.put("applied", applied(state, document));
      return Response.ok(summary).build();
    } catch (InvalidStateException e) {
      return invalid(e);
    }
  }

  /**
   * The name and version of each integration {@code document} gave, as the state now holds it:
   * what {@code ./outpost deploy} waits for the runtime to run or refuse.
   */
  private static List<Applied> applied(DataPlaneState state, ObjectNode document) {
    Set<String> named = new HashSet<>();
    document.path("integrations").forEach(i -> named.add(i.path("name").asText()));
    named.add(document.path("integration").path("name").asText());
    return state.integrations().stream().filter(i -> named.contains(i.name()))
        .map(i -> new Applied(i.name(), i.version())).toList();
  }

  /** An integration an apply named, as the state holds it. */
  record Applied(String name, String version) {}

  private Response withDocument(String authorization, String contentType, String body, DocumentHandler handler) {
    if (!tokens.isAdmin(authorization)) {
      return ApiError.unauthorized("the admin bearer token is required");
    }
    Optional<String> longLine = isJson(contentType) || body == null ? Optional.empty() : YamlLines.tooLong(body);
    if (longLine.isPresent()) {
      return ApiError.badRequest("body: " + longLine.get());
    }
    JsonNode document;
    try {
      document = parse(contentType, body);
    } catch (JsonProcessingException e) {
      return ApiError.badRequest("body: not valid " + format(contentType) + ": " + JsonErrors.describe(e));
    }
    // Jackson read an alias as the anchor's name: "project: *proj" deployed into project "proj"
    List<Violation> references = isJson(contentType) || document == null ? List.of() : YamlAnchors.anchorsAndAliases(body);
    if (!references.isEmpty()) {
      return ApiError.badRequest(references.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    }
    if (!(document instanceof ObjectNode object)) {
      return ApiError.badRequest("body: an object is expected");
    }
    return handler.handle(object);
  }

  /** Like {@code kubectl apply}: adds or replaces what the document names, keeps the rest. */
  @POST
  @Path("/apply")
  @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
  public Response apply(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, String body) {
    return withDocument(authorization, contentType, body, document -> DocumentShape.ofApply(document)
        .map(ApiError::badRequest).orElseGet(() -> committed(store::apply, document)));
  }

  @PUT
  @Path("/integrations/{name}")
  @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
  public Response putIntegration(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @PathParam("name") String name, String body) {
    return withDocument(authorization, contentType, body, document -> putIntegration(name, document));
  }

  private Response putIntegration(String name, ObjectNode document) {
    var problem = DocumentShape.ofIntegration(document);
    if (problem.isPresent()) {
      return ApiError.badRequest(problem.get());
    }
    JsonNode integration = document.get("integration");
    if (!(integration instanceof ObjectNode integrationObject)) {
      return ApiError.badRequest("integration: an object is required ({\"integration\": {...}, \"routes\": [...]})");
    }
    JsonNode routes = document.path("routes");
    if (!routes.isMissingNode() && !routes.isArray()) {
      return ApiError.badRequest("routes: an array is expected");
    }
    JsonNode given = integrationObject.get("name");
    if (given != null && !name.equals(given.asText())) {
      return ApiError.badRequest("integration.name: must equal the name in the path (" + name + ")");
    }
    integrationObject.put("name", name);
    ArrayNode routeArray = routes.isArray() ? (ArrayNode) routes : JSON.createArrayNode();
    return committed(d -> store.putIntegration(integrationObject, routeArray), document);
  }

  @DELETE
  @Path("/integrations/{name}")
  public Response removeIntegration(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @PathParam("name") String name) {
    if (!tokens.isAdmin(authorization)) {
      return ApiError.unauthorized("the admin bearer token is required");
    }
    try {
      return store.removeIntegration(name)
          .map(s -> Response.ok(summary(s)).build())
          .orElse(ApiError.of(Response.Status.NOT_FOUND, "not_found", "no integration named " + name));
    } catch (InvalidStateException e) {
      return invalid(e);
    }
  }

  private static JsonNode parse(String contentType, String body) throws JsonProcessingException {
    if (body == null || body.isBlank()) {
      return null;
    }
    return isJson(contentType) ? JSON.readTree(body) : YAML.readTree(body);
  }

  private static boolean isJson(String contentType) {
    return contentType != null && contentType.toLowerCase().contains("json");
  }

  private static String format(String contentType) {
    return isJson(contentType) ? "JSON" : "YAML";
  }

  static Map<String, Object> summary(DataPlaneState state) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("revision", state.revision());
    summary.put("dataPlane", state.dataPlane());
    summary.put("integrations", state.integrations().size());
    summary.put("routes", state.routes().size());
    return summary;
  }

  /** A refusal's body, its fields in this order (./outpost reads each violation's path, then message). */
  public record InvalidState(String error, String message, List<Violation> violations) {}

  private static Response invalid(InvalidStateException e) {
    return Response.status(422).type(MediaType.APPLICATION_JSON)
        .entity(new InvalidState("invalid_state", e.getMessage(), e.violations())).build();
  }
}
