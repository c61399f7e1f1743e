package dev.outpost.gateway.support;

import java.util.List;
import java.util.Map;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.EllipticCurves;

/** Test keys and token minting with jose4j. */
public final class Tokens {

  public static final String MAIN_ISSUER = "https://idp.test/main";
  public static final String EC_ISSUER = "https://idp.test/ec";
  public static final String AUDIENCE = "outpost";

  public static final PublicJsonWebKey MAIN_KEY = rsa("main-1");
  public static final PublicJsonWebKey MAIN_OLD_KEY = rsa("main-0");
  public static final PublicJsonWebKey EC_KEY = ec("ec-1");
  public static final PublicJsonWebKey ATTACKER_KEY = rsa("attacker");

  private Tokens() {}

  public static PublicJsonWebKey rsa(String kid) {
    try {
      PublicJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
      key.setKeyId(kid);
      key.setUse("sig");
      return key;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static PublicJsonWebKey ec(String kid) {
    try {
      PublicJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
      key.setKeyId(kid);
      return key;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Claims valid for {@link #MAIN_ISSUER} for five minutes. */
  public static JwtClaims claims(String issuer, String subject, String scope) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(issuer);
    claims.setSubject(subject);
    claims.setAudience(AUDIENCE);
    claims.setExpirationTimeMinutesInTheFuture(5);
    claims.setIssuedAtToNow();
    if (scope != null) {
      claims.setStringClaim("scope", scope);
    }
    return claims;
  }

  public static String sign(PublicJsonWebKey key, String alg, JwtClaims claims) {
    return sign(key, alg, key.getKeyId(), claims, Map.of());
  }

  public static String sign(PublicJsonWebKey key, String alg, String kid, JwtClaims claims, Map<String, Object> headers) {
    try {
      JsonWebSignature jws = new JsonWebSignature();
      jws.setPayload(claims.toJson());
      jws.setAlgorithmHeaderValue(alg);
      if (kid != null) {
        jws.setKeyIdHeaderValue(kid);
      }
      headers.forEach(jws.getHeaders()::setObjectHeaderValue);
      jws.setKey(key.getPrivateKey());
      return jws.getCompactSerialization();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A valid token from the main issuer. */
  public static String valid(String subject, String scope) {
    return sign(MAIN_KEY, "RS256", claims(MAIN_ISSUER, subject, scope));
  }

  public static List<String> bearer(String token) {
    return List.of("Authorization", "Bearer " + token);
  }
}
