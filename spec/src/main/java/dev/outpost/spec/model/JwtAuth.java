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
 */
@JsonPropertyOrder({"identityProviders", "audiences", "scopes"})
public record JwtAuth(List<String> identityProviders, List<String> audiences, List<String> scopes) {
  public JwtAuth {
    identityProviders = identityProviders == null ? List.of() : List.copyOf(identityProviders);
    audiences = audiences == null ? List.of() : List.copyOf(audiences);
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
  }
}
