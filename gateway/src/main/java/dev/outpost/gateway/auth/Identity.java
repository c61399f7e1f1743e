package dev.outpost.gateway.auth;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Who is calling, as established by the authentication step.
 *
 * @param subject the JWT {@code sub} or the API key's client id; null for public routes
 * @param scopes the scopes granted; empty for API keys and public routes
 * @param issuer the token's {@code iss} for JWTs (not the provider's name: providers sharing an issuer,
 *     as during a JWKS move, know one set of subjects), {@code apiKey} for API keys, null otherwise
 */
public record Identity(String subject, List<String> scopes, String issuer) {

  public static final Identity ANONYMOUS = new Identity(null, List.of(), null);
  static final String KEY = "outpost.identity";

  public Identity {
    scopes = List.copyOf(scopes);
  }

  /** The caller established for this exchange, {@link #ANONYMOUS} before or without authentication. */
  public static Identity of(RoutingContext ctx) {
    Identity identity = ctx.get(KEY);
    return identity == null ? ANONYMOUS : identity;
  }

  /** Records the caller for the later steps. */
  public static void set(RoutingContext ctx, Identity identity) {
    ctx.put(KEY, identity);
  }
}
