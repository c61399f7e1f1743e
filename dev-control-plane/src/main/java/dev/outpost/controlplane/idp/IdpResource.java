package dev.outpost.controlplane.idp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.controlplane.ApiError;
import dev.outpost.spec.json.JsonErrors;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.json.ObjectFields;
import dev.outpost.spec.json.Problems;
import dev.outpost.spec.state.Violation;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The development IdP's endpoints: JWKS, discovery, and token issue. */
@Path("/idp")
@Produces(MediaType.APPLICATION_JSON)
public class IdpResource {
  private static final Pattern PROJECT = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  // RFC 6749 3.3's scope-token; a scope is such tokens split by single spaces, checked one by one
  // (a repeated group over the whole scope recursed per token, and thousands overflowed the stack)
  private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
  // a token travels in an Authorization header, and the gateway takes 16 KiB of headers by default
  private static final int MAX_SCOPE_CHARS = 4096;

  private final DevIdentityProvider idp;

  public IdpResource(DevIdentityProvider idp) {
    this.idp = idp;
  }

  @GET
  @Path("/jwks")
  public ObjectNode jwks() {
    return idp.jwks();
  }

  @GET
  @Path("/.well-known/openid-configuration")
  public Map<String, Object> discovery() {
    return Map.of("issuer", idp.issuer(), "jwks_uri", idp.issuer() + "/jwks",
        "token_endpoint", idp.issuer() + "/token", "id_token_signing_alg_values_supported", List.of("RS256"));
  }

  @POST
  @Path("/token")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response token(String body) {
    JsonNode tree;
    try {
      tree = body == null || body.isBlank() ? null : Mappers.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return ApiError.badRequest("body: not valid JSON: " + JsonErrors.describe(e));
    }
    if (tree == null || !tree.isObject()) {
      return ApiError.badRequest("body: a JSON object {sub, scope, projects, ttlSeconds} is required");
    }
    // read field by field, as the state is: a data binder's errors named its Java classes
    Problems typeProblems = new Problems();
    TokenRequest request = TokenRequest.read(ObjectFields.of(tree, "", typeProblems).orElseThrow());
    if (!typeProblems.isEmpty()) {
      return ApiError.badRequest(typeProblems.all().stream().map(Violation::toString).collect(Collectors.joining("; ")));
    }
    List<String> problems = new ArrayList<>();
    if (request.sub() == null || request.sub().isBlank() || request.sub().length() > 200) {
      problems.add("sub: required, 1 to 200 characters");
    } else if (request.sub().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      // the gateway refuses a subject it could not put in a header
      problems.add("sub: no control characters (the gateway refuses such a subject)");
    }
    String scope = request.scope() == null ? "" : request.scope().trim();
    if (scope.length() > MAX_SCOPE_CHARS) {
      problems.add("scope: at most " + MAX_SCOPE_CHARS + " characters");
    } else if (!scope.isEmpty()
        && !Arrays.stream(scope.split(" ", -1)).allMatch(token -> SCOPE_TOKEN.matcher(token).matches())) {
      problems.add("scope: space-separated scope tokens (RFC 6749 section 3.3) expected");
    }
    List<String> projects = request.projects();
    for (int i = 0; i < projects.size(); i++) {
      if (!PROJECT.matcher(projects.get(i)).matches()) {
        problems.add("projects[" + i + "]: a DNS-1123 label expected");
      }
    }
    long ttl = request.ttlSeconds();
    if (ttl < 0 || ttl > idp.maxTtlSeconds()) {
      problems.add("ttlSeconds: 1 to " + idp.maxTtlSeconds() + " expected");
    }
    if (!problems.isEmpty()) {
      return ApiError.badRequest(String.join("; ", problems));
    }
    DevIdentityProvider.IssuedToken issued = idp.issue(request.sub(), scope, projects, ttl);
    return Response.ok(Map.of("access_token", issued.token(), "token_type", "Bearer",
        "expires_in", issued.expiresInSeconds())).build();
  }
}
