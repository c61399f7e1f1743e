package dev.outpost.controlplane;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
class IdpResourceTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Base64.Decoder B64URL = Base64.getUrlDecoder();

  @Test
  void issuesRs256TokensThatVerifyAgainstTheJwks() throws Exception {
    String token = given().contentType("application/json")
        .body("{\"sub\":\"alice\",\"projects\":[\"demo\",\"shop\"],\"scope\":\"orders:read orders:write\"}")
        .post("/idp/token").then().statusCode(200)
        .body("token_type", equalTo("Bearer")).body("expires_in", equalTo(3600))
        .extract().path("access_token");
    String[] parts = token.split("\\.");
    JsonNode header = JSON.readTree(B64URL.decode(parts[0]));
    JsonNode claims = JSON.readTree(B64URL.decode(parts[1]));
    assertThat(header.get("alg").asText()).isEqualTo("RS256");
    assertThat(claims.get("iss").asText()).isEqualTo("http://127.0.0.1:7070/idp");
    assertThat(claims.get("aud").asText()).isEqualTo("outpost");
    assertThat(claims.get("sub").asText()).isEqualTo("alice");
    assertThat(claims.get("scope").asText()).isEqualTo("orders:read orders:write");
    assertThat(claims.get("projects").toString()).isEqualTo("[\"demo\",\"shop\"]");
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(3600);

    JsonNode jwk = JSON.readTree(given().get("/idp/jwks").then().statusCode(200).extract().asString()).get("keys").get(0);
    assertThat(jwk.get("kid").asText()).isEqualTo(header.get("kid").asText());
    PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
        new BigInteger(1, B64URL.decode(jwk.get("n").asText())), new BigInteger(1, B64URL.decode(jwk.get("e").asText()))));
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initVerify(key);
    rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(rsa.verify(B64URL.decode(parts[2]))).isTrue();
  }

  /**
   * A page that pointed a name of its own at 127.0.0.1 (DNS rebinding) calls as its own origin, past
   * CORS: the IdP would give it a token for any project. Only loopback names are served.
   */
  @Test
  void aRequestForAnotherHostNameIsRefused() {
    String body = "{\"sub\":\"mallory\",\"projects\":[\"demo\"]}";
    given().header("Host", "rebound.attacker.example:7070").contentType("application/json").body(body)
        .post("/idp/token").then().statusCode(421).body("message", containsString("allowed-hosts"));
    given().header("Host", "rebound.attacker.example").get("/idp/jwks").then().statusCode(421);
    for (String host : new String[] {"127.0.0.1:7070", "localhost", "LOCALHOST:1", "[::1]:7070"}) {
      given().header("Host", host).contentType("application/json").body(body).post("/idp/token").then()
          .statusCode(200);
    }
  }

  @Test
  void publishesDiscovery() {
    given().get("/idp/.well-known/openid-configuration").then().statusCode(200)
        .body("jwks_uri", equalTo("http://127.0.0.1:7070/idp/jwks"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no subject         | {\"projects\":[\"demo\"]}                                  | sub: required",
      "blank subject      | {\"sub\":\"  \"}                                           | sub: required",
      "control character  | {\"sub\":\"a\\tb\"}                                       | sub: no control characters",
      "bad project        | {\"sub\":\"a\",\"projects\":[\"Not A Label\"]}             | projects[0]",
      "null project       | {\"sub\":\"a\",\"projects\":[null]}                        | projects[0]",
      "bad scope          | {\"sub\":\"a\",\"scope\":\"a\\\"b\"}                        | scope:",
      "ttl too long       | {\"sub\":\"a\",\"ttlSeconds\":999999999}                   | ttlSeconds",
      "negative ttl       | {\"sub\":\"a\",\"ttlSeconds\":-5}                          | ttlSeconds",
      "malformed JSON     | {\"sub\":                                                  | body: not valid JSON: Unexpected end-of-input",
      "wrong type         | {\"sub\":\"a\",\"projects\":\"demo\"}                      | projects: must be a list, found a string",
      "wrong item type    | {\"sub\":\"a\",\"projects\":[{}]}                          | projects[0]: must be a string, found an object",
      // each of these named a Java class: TokenRequest, ArrayList, Long, JsonToken.START_ARRAY
      "unknown field      | {\"sub\":\"x\",\"bogus\":1}                               | bogus: unknown field",
      "projects a string  | {\"sub\":\"x\",\"projects\":\"pcp\"}                      | projects: must be a list, found a string",
      "ttl a string       | {\"sub\":\"x\",\"ttlSeconds\":\"abc\"}                    | ttlSeconds: must be an integer, found a string",
      "ttl a fraction     | {\"sub\":\"x\",\"ttlSeconds\":1.5}                         | ttlSeconds: must be an integer, found the number 1.5",
      "subject a list     | {\"sub\":[\"a\"]}                                         | sub: must be a string, found a list",
      "scope a number     | {\"sub\":\"x\",\"scope\":7}                               | scope: must be a string, found the number 7",
      "not an object      | [1]                                                        | body: a JSON object {sub, scope, projects, ttlSeconds} is required",
  })
  void refusesBadRequestsWithA400NamingTheField(String name, String body, String message) {
    given().contentType("application/json").body(body).post("/idp/token").then()
        .statusCode(400).body("error", equalTo("bad_request")).body("message", containsString(message))
        .body("message", not(matchesPattern("(?s).*(java\\.|dev\\.outpost|com\\.fasterxml|JsonToken|class ).*")));
  }

  /** A long scope was a 500 (the scope's pattern recursed per token until the stack ran out). */
  @Test
  void aScopeOfThousandsOfTokensIsA400NamingItsLimit() {
    String scope = String.join(" ", java.util.Collections.nCopies(3000, "a"));
    given().contentType("application/json").body("{\"sub\":\"a\",\"scope\":\"" + scope + "\"}").post("/idp/token")
        .then().statusCode(400).body("message", containsString("scope: at most 4096 characters"));
    String fits = String.join(" ", java.util.Collections.nCopies(2000, "a"));
    given().contentType("application/json").body("{\"sub\":\"a\",\"scope\":\"" + fits + "\"}").post("/idp/token")
        .then().statusCode(200);
  }
}
