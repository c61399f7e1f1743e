package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * JWT bearer authentication for a route.
 *
 * @param identityProviders names of the identity providers whose tokens are accepted (at least one)
 * @param audiences the token must carry at least one of these in {@code aud}; empty means the
 *     identity provider's own audiences apply
 * @param scopes every one of these must be in the token's {@code scope} (space separated) or
 *     {@code scp} claim
 * @param forwardToken whether the integration receives the bearer token too; by default the
 *     gateway removes it once verified, as Envoy's {@code jwt_authn} does and as it removes an API
 *     key: the integration gets the identity in {@code X-Outpost-*} headers, and a credential it
 *     never holds is one it cannot leak. Set it for an integration that calls on with the caller's
 *     token.
 */
@JsonPropertyOrder({"identityProviders", "audiences", "scopes", "forwardToken"})
public record JwtAuth(List<String> identityProviders, List<String> audiences, List<String> scopes,
    boolean forwardToken) {
  public JwtAuth {
    identityProviders = identityProviders == null ? List.of() : List.copyOf(identityProviders);
    audiences = audiences == null ? List.of() : List.copyOf(audiences);
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
  }
}
