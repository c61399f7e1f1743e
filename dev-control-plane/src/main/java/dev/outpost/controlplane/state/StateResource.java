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
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The REST API a developer (or the launcher) uses to say what the data plane should run. All of it
 * needs the admin token.
 *
 * <ul>
 *   <li>{@code GET /v1/state}: the whole state, its {@code revision} included.
 *   <li>{@code PUT /v1/state}: replaces the whole state.
 *   <li>{@code POST /v1/apply}: adds or replaces what the document names, keeps the rest ({@link StateMerge}).
 *   <li>{@code PUT /v1/integrations/{name}} ({@code {integration, routes}}), {@code DELETE
 *       /v1/integrations/{name}}: one integration and the routes to it.
 * </ul>
 *
 * <p>Bodies are JSON, in UTF-8 whatever charset the Content-Type names (RFC 8259 section 11), or
 * YAML, in the charset the Content-Type names, else UTF-8 (a byte order mark is dropped; other text
 * is refused, naming the first byte that is not of the charset, or UTF-16 or UTF-32 by its byte
 * order mark; a charset Java does not know on YAML is a 415 naming it). A change gets the
 * next revision and is pushed to connected agents; one that leaves the state as it is keeps the
 * revision, and the answer says {@code "unchanged": true}, unless the connected agent refused that
 * revision: then it is a new one, which the agent tries at once (a secret it lacked made since, as
 * the README has users do). The answer is {@code
 * {revision, dataPlane, integrations, routes, unchanged, applied}} ({@code ./outpost} reads the
 * revision and each applied {@code {name, version}}).
 *
 * <p>A {@code revision} in the document of {@code PUT /v1/state} or {@code PUT
 * /v1/integrations/{name}} is the revision the document was read at, as a Kubernetes object's
 * {@code resourceVersion}: when it is not the current one, the answer is 409 ({@code revision: 4 is
 * not the current revision 5: ...}) and nothing changes; without one, the document is taken whatever
 * came before. {@code POST /v1/apply} takes the next revision whatever the document's, as it takes
 * this control plane's data plane whatever the document's: the files it gets are states, which carry
 * a revision (1 in the examples). A revision that is not a non-negative integer is refused (400).
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
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
    return withDocument(authorization, contentType, body,
        (document, readAt) -> committed(() -> store.put(document, readAt), document));
  }

  /** A change of the state. */
  @FunctionalInterface
  private interface StateChange {
    StateStore.Commit make() throws InvalidStateException, StaleRevisionException;
  }

  /** What an endpoint does with the request's document once it is authorized and parsed. */
  @FunctionalInterface
  private interface DocumentHandler {
    /** @param readAt the document's revision, the one it was read at; empty when it gives none */
    Response handle(ObjectNode document, OptionalLong readAt);
  }

  private static Response committed(StateChange change, ObjectNode document) {
    try {
      StateStore.Commit commit = change.make();
      Map<String, Object> summary = summary(commit);
      summary.put("applied", applied(commit.state(), document));
      return Response.ok(summary).build();
    } catch (InvalidStateException e) {
      return invalid(e);
    } catch (StaleRevisionException e) {
      return ApiError.of(Response.Status.CONFLICT, "conflict", e.getMessage());
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

  private Response withDocument(String authorization, String contentType, byte[] bytes, DocumentHandler handler) {
    if (!tokens.isAdmin(authorization)) {
      return ApiError.unauthorized("the admin bearer token is required");
    }
    String body;
    try {
      // JSON is UTF-8 whatever the Content-Type says (RFC 8259 section 11 defines no charset for it,
      // and clients such as rest-assured add ISO-8859-1 on their own): only YAML's is honoured
      Charset charset = isJson(contentType) ? StandardCharsets.UTF_8 : BodyText.charset(contentType);
      body = bytes == null ? null : BodyText.decode(bytes, charset);
    } catch (BodyText.UnknownCharsetException e) {
      return ApiError.of(Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", e.getMessage());
    } catch (BodyText.NotTextException e) {
      return ApiError.badRequest(e.getMessage());
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
    return DocumentRevision.problem(object).map(ApiError::badRequest)
        .orElseGet(() -> handler.handle(object, DocumentRevision.of(object)));
  }

  /** Like {@code kubectl apply}: adds or replaces what the document names, keeps the rest. */
  @POST
  @Path("/apply")
  @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
  public Response apply(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
    // the document's revision is no condition here (StateStore#apply)
    return withDocument(authorization, contentType, body, (document, readAt) -> DocumentShape.ofApply(document)
        .map(ApiError::badRequest).orElseGet(() -> committed(() -> store.apply(document), document)));
  }

  @PUT
  @Path("/integrations/{name}")
  @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml"})
  public Response putIntegration(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @PathParam("name") String name, byte[] body) {
    return withDocument(authorization, contentType, body, (document, readAt) -> putIntegration(name, document, readAt));
  }

  private Response putIntegration(String name, ObjectNode document, OptionalLong readAt) {
    var problem = DocumentShape.ofIntegration(name, document);
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
    return committed(() -> store.putIntegration(integrationObject, routeArray, readAt), document);
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
          .map(commit -> Response.ok(summary(commit)).build())
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

  static Map<String, Object> summary(StateStore.Commit commit) {
    DataPlaneState state = commit.state();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("revision", state.revision());
    summary.put("dataPlane", state.dataPlane());
    summary.put("integrations", state.integrations().size());
    summary.put("routes", state.routes().size());
    summary.put("unchanged", !commit.changed());
    return summary;
  }

  /** A refusal's body, its fields in this order (./outpost reads each violation's path, then message). */
  public record InvalidState(String error, String message, List<Violation> violations) {}

  private static Response invalid(InvalidStateException e) {
    return Response.status(422).type(MediaType.APPLICATION_JSON)
        .entity(new InvalidState("invalid_state", e.getMessage(), e.violations())).build();
  }
}
