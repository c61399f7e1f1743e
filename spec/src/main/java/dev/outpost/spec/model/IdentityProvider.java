package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A token issuer whose JWTs routes may accept.
 *
 * @param name how routes refer to it (a DNS-1123 label)
 * @param issuer the exact {@code iss} claim its tokens carry
 * @param jwksUri where its signing keys are published (http or https)
 * @param audiences {@code aud} values accepted from it; empty means the route decides
 * @param algorithms the signature algorithms accepted from it (pinned: anything else is refused);
 *     default {@code [RS256]}
 * @param clockSkewSeconds tolerance applied to {@code exp} and {@code nbf}; default 30, at most 300
 */
@JsonPropertyOrder({"name", "issuer", "jwksUri", "audiences", "algorithms", "clockSkewSeconds"})
public record IdentityProvider(
    String name,
    String issuer,
    String jwksUri,
    List<String> audiences,
    List<String> algorithms,
    int clockSkewSeconds) {

  public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256");
  public static final int DEFAULT_CLOCK_SKEW_SECONDS = 30;
  /** The algorithms an identity provider may be pinned to: asymmetric ones only. */
  public static final List<String> SUPPORTED_ALGORITHMS =
      List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  public IdentityProvider {
    audiences = audiences == null ? List.of() : List.copyOf(audiences);
    algorithms = algorithms == null || algorithms.isEmpty() ? DEFAULT_ALGORITHMS : List.copyOf(algorithms);
  }
}
