package dev.outpost.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.gateway.config.GatewayConfig;
import dev.outpost.spec.model.IdentityProvider;
import dev.outpost.spec.model.JwtAuth;
import io.vertx.core.Future;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

/**
 * Verifies bearer JWTs for a route with jose4j. The token's own header only ever selects a key by
 * {@code kid} from the issuer's published JWKS: embedded {@code jwk}, {@code jku}, {@code x5u} and
 * {@code x5c} are never followed, tokens with {@code crit} are refused, and the algorithm must be
 * one the issuer is pinned to (so {@code none} and HMAC are always refused). Then {@code iss},
 * {@code exp} (required) and {@code nbf} with the issuer's bounded skew, {@code sub} (required) and
 * {@code aud} are checked. A token verified once is remembered until it expires or the issuer's
 * keys change.
 */
@Singleton
public class JwtVerifier {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();
  private static final int MAX_SKEW_SECONDS = 300;

  /** A token already verified: the identity, its audiences and when it stops being valid. */
  private record Verified(Identity identity, IdentityProvider provider, long generation, List<String> audiences,
      long notAfterMillis) {}

  private final IdentityProviders providers;
  private final GatewayConfig.Jwt config;
  private final ConcurrentMap<TokenKey, Verified> verified = new ConcurrentHashMap<>();
  /**
   * A consumer per provider as configured (issuer, skew and algorithms are built into it), key cache,
   * key set generation and key: a provider changed by a reload gets a new one, even with the same
   * JWKS. The cache is compared by identity: a provider removed and added back gets a new cache whose
   * generations start again at 1, and an equal provider record must not find the consumer of a key
   * its issuer has since replaced under the same kid.
   */
  private record ConsumerKey(IdentityProvider provider, JwksCache keys, long generation, String kid) {}

  /** Consumers kept at most; past it the map starts over (keys and providers change rarely). */
  private static final int MAX_CONSUMERS = 1024;

  private final ConcurrentMap<ConsumerKey, JwtConsumer> consumers = new ConcurrentHashMap<>();

  JwtVerifier(IdentityProviders providers, GatewayConfig config) {
    this.providers = providers;
    this.config = config.jwt();
  }

  /**
   * Verifies {@code token} for a route with {@code auth}.
   *
   * @return the caller, or a failed future with an {@link AuthFailure} (401, or 503 when the
   *     issuer's keys cannot be fetched and none is cached)
   */
  public Future<Identity> verify(String token, JwtAuth auth) {
    try {
      if (token.length() > config.maxTokenBytes()) {
        throw AuthFailure.unauthorized("the token is larger than " + config.maxTokenBytes() + " bytes");
      }
      Identity remembered = remembered(token, auth);
      if (remembered != null) {
        return Future.succeededFuture(remembered);
      }
      String[] parts = token.split("\\.", -1);
      if (parts.length != 3 || parts[2].isEmpty() || !base64url(parts[0]) || !base64url(parts[1]) || !base64url(parts[2])) {
        throw AuthFailure.unauthorized("the token is not a signed JWT (header.payload.signature)");
      }
      JsonNode header = object(parts[0], "header");
      JsonNode payload = object(parts[1], "payload");
      if (header.has("crit")) {
        throw AuthFailure.unauthorized("tokens with critical header extensions are not accepted");
      }
      JsonNode iss = payload.get("iss");
      List<IdentityProviders.Issuer> candidates = iss != null && iss.isTextual() ? issuersFor(iss.asText(), auth) : List.of();
      if (candidates.isEmpty()) {
        throw AuthFailure.unauthorized("the token's issuer is not trusted by this route");
      }
      JsonNode alg = header.get("alg");
      if (alg == null || !alg.isTextual()) {
        throw AuthFailure.unauthorized("the token's algorithm is not accepted for its issuer");
      }
      JsonNode kidNode = header.get("kid");
      if (kidNode != null && !kidNode.isTextual()) {
        throw AuthFailure.unauthorized("the token's kid is not a string");
      }
      String kid = kidNode == null ? null : kidNode.asText();
      return verifyByAny(candidates, 0, token, alg.asText(), kid, auth, null);
    } catch (AuthFailure failure) {
      return Future.failedFuture(failure);
    }
  }

  /**
   * Tries the route's providers for the token's issuer in the route's order, as Envoy's jwt_authn
   * tries each provider of a requires_any (two providers may share an issuer: its old and new JWKS
   * during a migration, or two audiences). The first that verifies the token wins; when none does,
   * the answer is 503 if some provider's keys could not be had (it might have verified the token),
   * else the first provider's refusal.
   */
  private Future<Identity> verifyByAny(List<IdentityProviders.Issuer> candidates, int index, String token,
      String alg, String kid, JwtAuth auth, AuthFailure answer) {
    Future<Identity> attempt;
    try {
      attempt = verifyWith(candidates.get(index), token, alg, kid, auth);
    } catch (AuthFailure failure) {
      attempt = Future.failedFuture(failure);
    }
    return attempt.recover(failure -> {
      if (!(failure instanceof AuthFailure refusal)) {
        return Future.failedFuture(failure);
      }
      AuthFailure kept = answer == null || (refusal.status() == 503 && answer.status() != 503) ? refusal : answer;
      return index + 1 < candidates.size()
          ? verifyByAny(candidates, index + 1, token, alg, kid, auth, kept)
          : Future.failedFuture(kept);
    });
  }

  private Future<Identity> verifyWith(IdentityProviders.Issuer issuer, String token, String alg, String kid,
      JwtAuth auth) {
    if (!issuer.provider().algorithms().contains(alg)) {
      throw AuthFailure.unauthorized("the token's algorithm is not accepted for its issuer");
    }
    List<String> audiences = expectedAudiences(auth, issuer.provider());
    issuer.keys().refreshIfStale();
    return issuer.keys().key(kid).map(result -> switch (result.lookup()) {
      case FOUND -> verifyWith(token, issuer, alg, kid, result.key(), result.generation(), audiences);
      case UNKNOWN -> throw AuthFailure.unauthorized("the token's signing key is not published by its issuer");
      case UNAVAILABLE -> throw new AuthFailure(503, "the signing keys of issuer " + issuer.provider().name() + " cannot be fetched");
    });
  }

  private Identity verifyWith(String token, IdentityProviders.Issuer issuer, String alg, String kid, PublicJsonWebKey key,
      long generation, List<String> audiences) {
    IdentityProvider idp = issuer.provider();
    if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
      // a key published for one algorithm signs with that one only (RFC 8725 3.1), as Envoy's jwt_authn checks
      throw AuthFailure.unauthorized("the token's algorithm is not the one its signing key is published for");
    }
    if (consumers.size() > MAX_CONSUMERS) {
      consumers.clear();
    }
    JwtConsumer consumer = consumers.computeIfAbsent(new ConsumerKey(idp, issuer.keys(), generation, kid), k -> new JwtConsumerBuilder()
        .setRequireExpirationTime()
        .setRequireSubject()
        .setAllowedClockSkewInSeconds(Math.min(Math.max(idp.clockSkewSeconds(), 0), MAX_SKEW_SECONDS))
        .setExpectedIssuer(idp.issuer())
        .setSkipDefaultAudienceValidation()
        .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, idp.algorithms().toArray(String[]::new))
        .setVerificationKey(key.getPublicKey())
        .build());
    try {
      JwtClaims claims = consumer.processToClaims(token);
      List<String> tokenAudiences = claims.hasAudience() ? claims.getAudience() : List.of();
      checkAudience(tokenAudiences, audiences);
      String subject = claims.getSubject();
      if (subject.isEmpty() || subject.length() > 256 || subject.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw AuthFailure.unauthorized("the token's subject is not usable");
      }
      Identity identity = new Identity(subject, scopes(claims), claims.getIssuer());
      // seconds past Long.MAX_VALUE / 1000 overflow milliseconds (jose4j throws): such a token never expires here
      long expSeconds = claims.getExpirationTime().getValue();
      long notAfter = expSeconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : expSeconds * 1000;
      if (config.verifiedCacheSize() > 0) {
        if (verified.size() >= config.verifiedCacheSize()) {
          verified.clear();
        }
        verified.put(new TokenKey(token), new Verified(identity, idp, generation, tokenAudiences, notAfter));
      }
      return identity;
    } catch (InvalidJwtException | MalformedClaimException e) {
      throw AuthFailure.unauthorized("the token is not valid: " + reason(e));
    }
  }

  /**
   * The identity of a token verified before, looked up before the token is even parsed (the parse
   * cost as much as the rest of the route's authentication): only while this route trusts the
   * issuer that verified it, with the same configuration (a reloaded routing table makes new
   * providers) and the same keys, before it expires, and for an audience this route accepts.
   */
  private Identity remembered(String token, JwtAuth auth) {
    Verified hit = verified.get(new TokenKey(token));
    if (hit == null || !auth.identityProviders().contains(hit.provider().name())) {
      return null;
    }
    IdentityProviders.Issuer issuer = providers.get(hit.provider().name());
    if (issuer == null || issuer.provider() != hit.provider()) {
      return null;
    }
    issuer.keys().refreshIfStale();
    if (hit.generation() != issuer.keys().generation() || System.currentTimeMillis() >= hit.notAfterMillis()) {
      return null;
    }
    // an audience this provider does not accept here may be another provider's of the same issuer:
    // the full verification tries them all
    return audienceAccepted(hit.audiences(), expectedAudiences(auth, hit.provider())) ? hit.identity() : null;
  }

  /**
   * A token as the key of verified tokens. Its hash reads the last {@value #HASHED_CHARS} chars,
   * the end of the signature, where {@link String#hashCode} would read all of a token's ~800 on
   * every request (the header's value is a new string each time). Equality compares whole tokens,
   * and only verified tokens are kept, so nobody can fill a bucket with tokens whose ends collide.
   */
  private record TokenKey(String token) {
    static final int HASHED_CHARS = 32;

    @Override
    public int hashCode() {
      int h = token.length();
      for (int i = Math.max(0, token.length() - HASHED_CHARS); i < token.length(); i++) {
        h = 31 * h + token.charAt(i);
      }
      return h;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof TokenKey key && key.token.equals(token);
    }
  }

  /**
   * What is wrong with a refused token, from jose4j's error codes. Its message quotes the token's
   * claims, so a search in it found "iss" in every token: all were "wrong issuer".
   */
  private static String reason(Exception e) {
    if (!(e instanceof InvalidJwtException invalid) || invalid.hasErrorCode(ErrorCodes.MALFORMED_CLAIM)) {
      return "a claim has the wrong type";
    }
    if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
      return "bad signature";
    }
    if (invalid.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
      return "no expiration time (exp)";
    }
    if (invalid.hasErrorCode(ErrorCodes.SUBJECT_MISSING)) {
      return "no subject (sub)";
    }
    if (invalid.hasExpired()) {
      return "expired";
    }
    if (invalid.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
      return "not yet valid (nbf)";
    }
    if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID) || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
      return "wrong issuer";
    }
    return "claims rejected";
  }

  private List<IdentityProviders.Issuer> issuersFor(String iss, JwtAuth auth) {
    List<IdentityProviders.Issuer> found = new ArrayList<>(1);
    for (String name : auth.identityProviders()) {
      IdentityProviders.Issuer issuer = providers.get(name);
      if (issuer != null && issuer.provider().issuer().equals(iss) && !found.contains(issuer)) {
        found.add(issuer);
      }
    }
    return found;
  }

  private static List<String> expectedAudiences(JwtAuth auth, IdentityProvider idp) {
    return !auth.audiences().isEmpty() ? auth.audiences() : idp.audiences();
  }

  private static void checkAudience(List<String> tokenAudiences, List<String> expected) {
    if (!audienceAccepted(tokenAudiences, expected)) {
      throw AuthFailure.unauthorized("the token's audience is not accepted by this route");
    }
  }

  private static boolean audienceAccepted(List<String> tokenAudiences, List<String> expected) {
    if (expected.isEmpty()) {
      return true;
    }
    for (String aud : tokenAudiences) {
      if (expected.contains(aud)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> scopes(JwtClaims claims) throws MalformedClaimException {
    List<String> scopes = new ArrayList<>();
    Object scope = claims.getClaimValue("scope");
    Object scp = claims.getClaimValue("scp");
    for (Object value : new Object[] {scope, scp}) {
      if (value instanceof String s) {
        for (String part : s.trim().split("\\s+")) {
          if (!part.isEmpty() && part.chars().noneMatch(c -> c < 0x21 || c == 0x7f)) {
            scopes.add(part);
          }
        }
      } else if (value instanceof List<?> list) {
        for (Object item : list) {
          if (item instanceof String s && !s.isEmpty() && s.chars().noneMatch(c -> c < 0x21 || c == 0x7f)) {
            scopes.add(s);
          }
        }
      }
    }
    return scopes;
  }

  private static boolean base64url(String part) {
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode object(String part, String what) {
    try {
      JsonNode node = JSON.readTree(B64.decode(part));
      if (node == null || !node.isObject()) {
        throw AuthFailure.unauthorized("the token's " + what + " is not a JSON object");
      }
      return node;
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw AuthFailure.unauthorized("the token's " + what + " is not a JSON object");
    }
  }
}
