package dev.outpost.gateway.support;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.spec.model.ApiKeyAuth;
import dev.outpost.spec.model.Cors;
import dev.outpost.spec.model.IdentityProvider;
import dev.outpost.spec.model.JwtAuth;
import dev.outpost.spec.model.RateLimit;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteAuth;
import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Builds routes and writes {@code routes.json} the way the agent does (temp file, then rename). */
public final class TestRoutes {

  private static final ObjectMapper MAPPER = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private TestRoutes() {}

  public static Route publicRoute(String id, String prefix, boolean strip) {
    return route(id, new RouteMatch(prefix, List.of(), List.of()), strip, RouteAuth.anonymous(), null, null);
  }

  public static Route route(String id, RouteMatch match, boolean strip, RouteAuth auth, RateLimit limit, Cors cors) {
    return new Route(id, "proj-a", match, "int-" + id, strip, auth, limit, 2000, 0, cors, 1024 * 1024);
  }

  public static RouteAuth jwt(List<String> idps, List<String> scopes) {
    return new RouteAuth(new JwtAuth(idps, List.of(), scopes, false), null, null);
  }

  /** A JWT route whose integration receives the caller's bearer token too. */
  public static RouteAuth jwtForwardingToken(List<String> idps) {
    return new RouteAuth(new JwtAuth(idps, List.of(), List.of(), true), null, null);
  }

  public static RouteAuth apiKey(String header, String secret, String key) {
    return new RouteAuth(null, new ApiKeyAuth(header, new SecretRef(secret, key)), null);
  }

  public static IdentityProvider idp(String name, String issuer, String jwksUri, List<String> algorithms) {
    return new IdentityProvider(name, issuer, jwksUri, List.of("outpost"), algorithms, 30);
  }

  public static void write(Path home, RoutingTable table) {
    try {
      Path state = Files.createDirectories(home.resolve("state"));
      Path tmp = Files.createTempFile(state, "routes", ".tmp");
      Files.writeString(tmp, MAPPER.writeValueAsString(table));
      Files.move(tmp, state.resolve("routes.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
