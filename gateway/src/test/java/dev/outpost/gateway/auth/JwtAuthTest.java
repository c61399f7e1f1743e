package dev.outpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LoopbackUpstream.Received;
import dev.outpost.gateway.support.TestRoutes;
import dev.outpost.gateway.support.Tokens;
import dev.outpost.spec.model.IdentityProvider;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JWT routes against real JWKS endpoints on loopback: identity headers, scopes, several issuers, outages, rotation. */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class JwtAuthTest {

  @TestHTTPResource("/")
  URL gateway;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void clear() {
    GatewayTestEnvironment.upstream.clear();
  }

  private HttpResponse<String> call(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + path))
        .timeout(java.time.Duration.ofSeconds(20));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aValidTokenReachesTheUpstreamWithTheIdentityHeaders() throws Exception {
    HttpResponse<String> response = call("/jwt-scoped/orders", Tokens.valid("alice", "orders:read reports"));
    assertThat(response.statusCode()).isEqualTo(200);
    Received got = GatewayTestEnvironment.upstream.next();
    assertThat(got.uri()).isEqualTo("/orders");
    assertThat(got.headers().get("X-Outpost-Subject")).isEqualTo("alice");
    assertThat(got.headers().get("X-Outpost-Scopes")).isEqualTo("orders:read reports");
    assertThat(got.headers().get("X-Outpost-Route")).isEqualTo("jwt-scoped");
  }

  /**
   * A subject is one caller only within its issuer (OIDC Core: iss and sub together): on a route with
   * several identity providers the integration learns which one vouched for the caller, and never
   * from the client, which may send the header in any spelling.
   */
  @Test
  void theIntegrationIsToldTheTokensIssuerAndNeverTheClients() throws Exception {
    String main = Tokens.valid("dave", null);
    String ec = Tokens.sign(Tokens.EC_KEY, "ES256", Tokens.claims(Tokens.EC_ISSUER, "dave", null));
    for (String token : List.of(main, ec)) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/jwt/a"))
          .header("Authorization", "Bearer " + token)
          .header("X-Outpost-Issuer", "https://idp.test/spoofed")
          .header("X-Outpost_Issuer", "https://idp.test/spoofed").build();
      assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
    Received fromMain = GatewayTestEnvironment.upstream.next();
    assertThat(fromMain.headers().getAll("X-Outpost-Issuer")).containsExactly(Tokens.MAIN_ISSUER);
    assertThat(fromMain.headers().names()).noneMatch(name -> name.contains("_"));
    Received fromEc = GatewayTestEnvironment.upstream.next();
    assertThat(fromEc.headers().getAll("X-Outpost-Issuer")).containsExactly(Tokens.EC_ISSUER);
    assertThat(fromEc.headers().get("X-Outpost-Subject")).isEqualTo("dave");
  }

  @Test
  void theBearerTokenStopsAtTheGatewayUnlessTheRouteForwardsIt() throws Exception {
    String token = Tokens.valid("alice", null);
    assertThat(call("/jwt/a", token).statusCode()).isEqualTo(200);
    Received kept = GatewayTestEnvironment.upstream.next();
    assertThat(kept.headers().contains("Authorization")).as("the token, once verified").isFalse();
    assertThat(kept.headers().get("X-Outpost-Subject")).isEqualTo("alice");

    assertThat(call("/jwt-forward/a", token).statusCode()).isEqualTo(200);
    assertThat(GatewayTestEnvironment.upstream.next().headers().get("Authorization")).isEqualTo("Bearer " + token);
  }

  @Test
  void aRouteAcceptsEachOfItsIssuersWithItsOwnAlgorithm() throws Exception {
    assertThat(call("/jwt/a", Tokens.valid("bob", null)).statusCode()).isEqualTo(200);
    String ec = Tokens.sign(Tokens.EC_KEY, "ES256", Tokens.claims(Tokens.EC_ISSUER, "carol", null));
    assertThat(call("/jwt/a", ec).statusCode()).isEqualTo(200);
    assertThat(GatewayTestEnvironment.upstream.next().headers().get("X-Outpost-Subject")).isEqualTo("bob");
    assertThat(GatewayTestEnvironment.upstream.next().headers().get("X-Outpost-Subject")).isEqualTo("carol");
    String ecOnRs = Tokens.sign(Tokens.EC_KEY, "ES256", Tokens.claims(Tokens.MAIN_ISSUER, "carol", null));
    assertThat(call("/jwt/a", ecOnRs).statusCode()).isEqualTo(401);
  }

  @Test
  void aTokenRememberedAsVerifiedIsStillRefusedByARouteThatDoesNotTrustItsIssuer() throws Exception {
    String token = Tokens.valid("judy", null);
    assertThat(call("/jwt/a", token).statusCode()).isEqualTo(200);
    assertThat(call("/jwt/a", token).statusCode()).as("second use, from the verified-token cache").isEqualTo(200);
    GatewayTestEnvironment.upstream.clear();
    assertThat(call("/jwt-flaky/x", token).statusCode()).as("a route trusting only another issuer").isEqualTo(401);
    assertThat(GatewayTestEnvironment.upstream.count()).isZero();
  }

  /**
   * The verified-token cache serves a token without parsing it again: once the token's {@code exp}
   * has passed (no skew for this provider) it is refused like any expired token, and reaches nothing.
   */
  @Test
  void aTokenRememberedAsVerifiedIsRefusedOnceItExpires() throws Exception {
    String iss = "https://idp.test/brief";
    PublicJsonWebKey key = Tokens.rsa("brief-k");
    GatewayTestEnvironment.jwks.publish("brief", key);
    GatewayTestEnvironment.writeTable(List.of(new IdentityProvider("brief", iss, GatewayTestEnvironment.jwks.uri("brief"),
            List.of("outpost"), List.of("RS256"), 0)),
        List.of(TestRoutes.route("jwt-brief", new dev.outpost.spec.model.RouteMatch("/jwt-brief", List.of(), List.of()),
            true, TestRoutes.jwt(List.of("brief"), List.of()), null, null)));
    try {
      // the table and the provider's keys in use first, with a token that outlives any wait
      awaitStatus("/jwt-brief/x", Tokens.sign(key, "RS256", Tokens.claims(iss, "brief-user", null)), 200);
      JwtClaims claims = Tokens.claims(iss, "brief-user", null);
      long expiresAt = System.currentTimeMillis() / 1000 + 3;
      claims.setExpirationTime(NumericDate.fromSeconds(expiresAt));
      String token = Tokens.sign(key, "RS256", claims);
      assertThat(call("/jwt-brief/x", token).statusCode()).as("verified").isEqualTo(200);
      assertThat(call("/jwt-brief/x", token).statusCode()).as("again, from the verified-token cache").isEqualTo(200);

      Thread.sleep(Math.max(0, (expiresAt + 1) * 1000 - System.currentTimeMillis()));
      GatewayTestEnvironment.upstream.clear();
      HttpResponse<String> expired = call("/jwt-brief/x", token);
      assertThat(expired.statusCode()).isEqualTo(401);
      assertThat(expired.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
          .contains("error=\"invalid_token\""));
      assertThat(GatewayTestEnvironment.upstream.count()).isZero();
    } finally {
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  /**
   * An identity provider in the cluster with a private CA: its {@code https} JWKS is trusted through
   * {@code jwt.ca-file}, besides the JVM's CAs. One whose certificate no trusted CA signed cannot be
   * fetched: 503, and no request reaches the upstream.
   */
  @Test
  void anHttpsJwksIsTrustedWhenTheCaFileHoldsItsCa() throws Exception {
    String iss = "https://idp.internal/private";
    PublicJsonWebKey key = Tokens.rsa("private-k");
    GatewayTestEnvironment.privateCaJwks.publish("private", key);
    GatewayTestEnvironment.unknownCaJwks.publish("private", key);
    GatewayTestEnvironment.writeTable(List.of(
            TestRoutes.idp("private-ca", iss, GatewayTestEnvironment.privateCaJwks.uri("private"), List.of("RS256")),
            TestRoutes.idp("unknown-ca", iss, GatewayTestEnvironment.unknownCaJwks.uri("private"), List.of("RS256"))),
        List.of(TestRoutes.route("jwt-private-ca", new dev.outpost.spec.model.RouteMatch("/jwt-private-ca", List.of(), List.of()),
                true, TestRoutes.jwt(List.of("private-ca"), List.of()), null, null),
            TestRoutes.route("jwt-unknown-ca", new dev.outpost.spec.model.RouteMatch("/jwt-unknown-ca", List.of(), List.of()),
                true, TestRoutes.jwt(List.of("unknown-ca"), List.of()), null, null)));
    try {
      String token = Tokens.sign(key, "RS256", Tokens.claims(iss, "erin", null));
      awaitStatus("/jwt-private-ca/x", token, 200);
      assertThat(GatewayTestEnvironment.upstream.next().headers().get("X-Outpost-Subject")).isEqualTo("erin");
      assertThat(GatewayTestEnvironment.privateCaJwks.fetches("private")).isPositive();

      GatewayTestEnvironment.upstream.clear();
      HttpResponse<String> untrusted = call("/jwt-unknown-ca/x", token);
      assertThat(untrusted.statusCode()).isEqualTo(503);
      assertThat(untrusted.body()).contains("cannot be fetched");
      assertThat(GatewayTestEnvironment.unknownCaJwks.fetches("private")).as("no JWKS read over the refused handshake").isZero();
      assertThat(GatewayTestEnvironment.upstream.count()).isZero();
    } finally {
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  @Test
  void anUnreachableJwksGives503NotA401() throws Exception {
    PublicJsonWebKey key = Tokens.rsa("d-1");
    String token = Tokens.sign(key, "RS256", Tokens.claims("https://idp.test/down", "dave", null));
    HttpResponse<String> response = call("/jwt-down/x", token);
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(response.body()).contains("cannot be fetched");
    assertThat(GatewayTestEnvironment.upstream.count()).isZero();
  }

  @Test
  void cachedKeysKeepServingWhileTheIdentityProviderIsDown() throws Exception {
    String iss = "https://idp.test/flaky";
    assertThat(call("/jwt-flaky/x", Tokens.sign(Tokens.MAIN_KEY, "RS256", Tokens.claims(iss, "erin", null))).statusCode()).isEqualTo(200);
    GatewayTestEnvironment.jwks.down("flaky", true);
    try {
      Thread.sleep(250);
      assertThat(call("/jwt-flaky/x", Tokens.sign(Tokens.MAIN_KEY, "RS256", Tokens.claims(iss, "frank", null))).statusCode())
          .as("known kid, IdP down: served from cache").isEqualTo(200);
      PublicJsonWebKey unknown = Tokens.rsa("new-" + UUID.randomUUID());
      assertThat(call("/jwt-flaky/x", Tokens.sign(unknown, "RS256", Tokens.claims(iss, "gina", null))).statusCode())
          .as("unknown kid, IdP down: cannot decide").isEqualTo(503);
    } finally {
      GatewayTestEnvironment.jwks.down("flaky", false);
    }
  }

  @Test
  void signingKeysRotateWithoutRestart() throws Exception {
    String iss = "https://idp.test/rotating";
    PublicJsonWebKey first = Tokens.rsa("rot-1");
    PublicJsonWebKey second = Tokens.rsa("rot-2");
    GatewayTestEnvironment.jwks.publish("rotating", first);
    String firstToken = Tokens.sign(first, "RS256", Tokens.claims(iss, "hank", null));
    assertThat(call("/jwt-rotating/x", firstToken).statusCode()).isEqualTo(200);

    GatewayTestEnvironment.jwks.publish("rotating", first, second);
    Thread.sleep(250);
    String secondToken = Tokens.sign(second, "RS256", Tokens.claims(iss, "ivy", null));
    assertThat(call("/jwt-rotating/x", secondToken).statusCode()).as("new kid fetched on first sight").isEqualTo(200);

    GatewayTestEnvironment.jwks.publish("rotating", second);
    long deadline = System.currentTimeMillis() + 8000;
    int status = 200;
    while (status == 200 && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      status = call("/jwt-rotating/x", firstToken).statusCode();
    }
    assertThat(status).as("a key removed from the JWKS stops being accepted after the periodic refresh").isEqualTo(401);
    assertThat(call("/jwt-rotating/x", secondToken).statusCode()).isEqualTo(200);
  }

  /** An identity provider changed by a reload is verified as it is now, though its JWKS and keys stay. */
  @Test
  void aProvidersNewIssuerTakesEffectAtTheReload() throws Exception {
    GatewayTestEnvironment.jwks.publish("moving", Tokens.MAIN_KEY);
    String before = "https://idp.test/moving-before";
    String after = "https://idp.test/moving-after";
    writeMoving(before);
    String oldIssuer = Tokens.sign(Tokens.MAIN_KEY, "RS256", Tokens.claims(before, "kim", null));
    awaitStatus("/jwt-moving/x", oldIssuer, 200);

    writeMoving(after);
    String newIssuer = Tokens.sign(Tokens.MAIN_KEY, "RS256", Tokens.claims(after, "kim", null));
    awaitStatus("/jwt-moving/x", newIssuer, 200);
    assertThat(call("/jwt-moving/x", oldIssuer).statusCode()).as("the old issuer is no longer trusted").isEqualTo(401);
    GatewayTestEnvironment.writeRoutes(List.of());
  }

  /** A JWKS endpoint that sends too much, or never finishes, is unavailable: 503, not a hang. */
  @Test
  void aJwksThatIsTooLargeOrNeverEndsGives503() throws Exception {
    List<dev.outpost.spec.model.IdentityProvider> idps = new ArrayList<>();
    List<dev.outpost.spec.model.Route> routes = new ArrayList<>();
    for (String name : List.of("oversized", "trickling")) {
      idps.add(TestRoutes.idp(name, "https://idp.test/" + name, GatewayTestEnvironment.jwks.uri(name), List.of("RS256")));
      routes.add(TestRoutes.route("jwt-" + name, new dev.outpost.spec.model.RouteMatch("/jwt-" + name, List.of(),
          List.of()), true, TestRoutes.jwt(List.of(name), List.of()), null, null));
    }
    GatewayTestEnvironment.writeTable(idps, routes);
    try {
      for (String name : List.of("oversized", "trickling")) {
        String token = Tokens.sign(Tokens.MAIN_KEY, "RS256", Tokens.claims("https://idp.test/" + name, "lee", null));
        awaitStatus("/jwt-" + name + "/x", token, 503);
      }
    } finally {
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  private static void writeMoving(String issuer) {
    writeWithProvider("moving", issuer, List.of("RS256"));
  }

  private void awaitStatus(String path, String token, int status) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    int last = call(path, token).statusCode();
    while (last != status && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      last = call(path, token).statusCode();
    }
    assertThat(last).as("%s within 10 s", path).isEqualTo(status);
  }

  @Test
  void unknownKidsRefreshTheJwksAtABoundedRate() throws Exception {
    List<String> unknownKids = new ArrayList<>();
    for (int i = 0; i < 20; i++) { // made first: an RSA key takes longer to make than the refresh interval
      unknownKids.add(Tokens.sign(Tokens.rsa("random-" + i), "RS256", Tokens.claims(Tokens.MAIN_ISSUER, "x", null)));
    }
    Thread.sleep(250);
    int before = GatewayTestEnvironment.jwks.fetches("main");
    long start = System.nanoTime();
    for (String token : unknownKids) {
      assertThat(call("/jwt/x", token).statusCode()).isEqualTo(401);
    }
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    // the test profile: an unknown kid refetches at most every 200 ms, and a periodic refresh runs every 2 s
    assertThat(GatewayTestEnvironment.jwks.fetches("main") - before)
        .as("fetches for 20 unknown kids in %d ms", elapsedMillis)
        .isLessThanOrEqualTo(2 + (int) (elapsedMillis / 200 + elapsedMillis / 2000));
  }

  /** Percent-decodes a header value as UTF-8 ('+' is a plus, not a space). */
  private static String decode(String value) {
    return java.net.URLDecoder.decode(value.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void identityHeadersArePercentEncodedSoEverySubjectArrivesDistinctAndExact() throws Exception {
    String[][] cases = {
        {"用户", "读:订单"},
        {"名字", "scope:café"},
        {" admin ", "a%b"},
        {"josé", "plain"},
    };
    for (String[] c : cases) {
      assertThat(call("/jwt/x", Tokens.valid(c[0], c[1])).statusCode()).as(c[0]).isEqualTo(200);
      Received got = GatewayTestEnvironment.upstream.next();
      String subject = got.headers().get("X-Outpost-Subject");
      String scopes = got.headers().get("X-Outpost-Scopes");
      assertThat(subject).as(c[0]).matches("[\\x21-\\x7e]+");
      assertThat(decode(subject)).isEqualTo(c[0]);
      assertThat(decode(scopes)).isEqualTo(c[1]);
    }
    assertThat(call("/jwt/x", Tokens.valid(" admin ", null)).statusCode()).isEqualTo(200);
    assertThat(GatewayTestEnvironment.upstream.next().headers().get("X-Outpost-Subject")).isEqualTo("%20admin%20");
    assertThat(call("/jwt/x", Tokens.valid("svc:billing@corp", "orders:read a/b")).statusCode()).isEqualTo(200);
    Received ascii = GatewayTestEnvironment.upstream.next();
    assertThat(ascii.headers().get("X-Outpost-Subject")).as("visible ASCII is unchanged").isEqualTo("svc:billing@corp");
    assertThat(ascii.headers().get("X-Outpost-Scopes")).isEqualTo("orders:read a/b");
  }

  /**
   * A provider removed and added back gets new keys, whose generations start again: the consumer
   * built for the key its issuer published before, under the same kid, must not verify for it.
   */
  @Test
  void aProviderAddedBackVerifiesWithTheKeyItsIssuerPublishesNowUnderTheSameKid() throws Exception {
    String iss = "https://idp.test/cycle";
    PublicJsonWebKey before = Tokens.rsa("cycle-k");
    PublicJsonWebKey now = Tokens.rsa("cycle-k");
    GatewayTestEnvironment.jwks.publish("cycle", before);
    writeWithProvider("cycle", iss, List.of("RS256"));
    String signedBefore = Tokens.sign(before, "RS256", Tokens.claims(iss, "mo", null));
    awaitStatus("/jwt-cycle/x", signedBefore, 200);

    GatewayTestEnvironment.writeRoutes(List.of());
    awaitStatus("/jwt-cycle/x", signedBefore, 404);
    // a JWT request makes the gateway take up the table without the provider, dropping its keys
    assertThat(call("/jwt/x", Tokens.valid("mo", null)).statusCode()).isEqualTo(200);
    GatewayTestEnvironment.jwks.publish("cycle", now);
    writeWithProvider("cycle", iss, List.of("RS256"));
    String signedNow = Tokens.sign(now, "RS256", Tokens.claims(iss, "mo", null));
    try {
      awaitStatus("/jwt-cycle/x", signedNow, 200);
      assertThat(call("/jwt-cycle/x", Tokens.sign(before, "RS256", Tokens.claims(iss, "mo2", null))).statusCode())
          .as("signed by the key the issuer replaced").isEqualTo(401);
    } finally {
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  /** While an identity provider fails, its stale JWKS is fetched again at the minimum interval, not on every request. */
  @Test
  void aFailingJwksIsRetriedAtABoundedRateNotOnEveryRequest() throws Exception {
    String iss = "https://idp.test/flaky";
    assertThat(call("/jwt-flaky/x", Tokens.sign(Tokens.MAIN_KEY, "RS256", Tokens.claims(iss, "nia", null))).statusCode()).isEqualTo(200);
    GatewayTestEnvironment.jwks.down("flaky", true);
    try {
      Thread.sleep(2200); // past the test profile's 2 s refresh interval: the copy is stale from now on
      int before = GatewayTestEnvironment.jwks.fetches("flaky");
      long start = System.nanoTime();
      for (int i = 0; i < 30; i++) {
        assertThat(call("/jwt-flaky/x", Tokens.sign(Tokens.MAIN_KEY, "RS256", Tokens.claims(iss, "nia-" + i, null))).statusCode())
            .as("served from the stale copy").isEqualTo(200);
        Thread.sleep(20);
      }
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      // the test profile's minimum interval between fetches is 200 ms
      assertThat(GatewayTestEnvironment.jwks.fetches("flaky") - before)
          .as("fetches of a failing JWKS over 30 requests in %d ms", elapsedMillis)
          .isLessThanOrEqualTo(2 + (int) (elapsedMillis / 200));
    } finally {
      GatewayTestEnvironment.jwks.down("flaky", false);
    }
  }

  /** A key published for one algorithm ({@code "alg"} in the JWKS) does not verify tokens of another the provider allows. */
  @Test
  void aKeyPublishedForOneAlgorithmVerifiesNoOther() throws Exception {
    String iss = "https://idp.test/pinned";
    PublicJsonWebKey pss = Tokens.rsa("pinned-pss");
    pss.setAlgorithm("PS256");
    GatewayTestEnvironment.jwks.publish("pinned", pss);
    writeWithProvider("pinned", iss, List.of("RS256", "PS256"));
    try {
      awaitStatus("/jwt-pinned/x", Tokens.sign(pss, "PS256", Tokens.claims(iss, "ola", null)), 200);
      assertThat(call("/jwt-pinned/x", Tokens.sign(pss, "RS256", Tokens.claims(iss, "ola", null))).statusCode())
          .as("RS256 with a key published for PS256").isEqualTo(401);
    } finally {
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  /** An expiry too far ahead for milliseconds is a token that does not expire here, not a 500. */
  @Test
  void anExpiryBeyondMillisecondsIsAcceptedNotAServerError() throws Exception {
    org.jose4j.jwt.JwtClaims claims = Tokens.claims(Tokens.MAIN_ISSUER, "pat", null);
    claims.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(Long.MAX_VALUE / 100));
    String token = Tokens.sign(Tokens.MAIN_KEY, "RS256", claims);
    assertThat(call("/jwt/x", token).statusCode()).isEqualTo(200);
    assertThat(call("/jwt/x", token).statusCode()).as("and again, remembered").isEqualTo(200);
  }

  /** RFC 6750 3.1: no error code when the request carried no token; invalid_token when it carried a bad one. */
  @Test
  void theChallengeSaysInvalidTokenOnlyWhenATokenWasSent() throws Exception {
    HttpResponse<String> none = call("/jwt/x", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly("Bearer");
    HttpResponse<String> bad = call("/jwt/x", Tokens.sign(Tokens.ATTACKER_KEY, "RS256", Tokens.claims(Tokens.MAIN_ISSUER, "q", null)));
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.headers().allValues("WWW-Authenticate")).containsExactly("Bearer error=\"invalid_token\"");
  }

  /**
   * Two providers of a route may share an issuer (its old and new JWKS during a migration): a token
   * is verified by whichever publishes its key, and refused when neither does.
   */
  @Test
  void aRouteTriesEachOfItsProvidersForTheTokensIssuer() throws Exception {
    String iss = "https://idp.test/migrating";
    PublicJsonWebKey oldKey = Tokens.rsa("mig-old-k");
    PublicJsonWebKey newKey = Tokens.rsa("mig-new-k");
    GatewayTestEnvironment.jwks.publish("mig-old", oldKey);
    GatewayTestEnvironment.jwks.publish("mig-new", newKey);
    GatewayTestEnvironment.writeTable(List.of(TestRoutes.idp("mig-old", iss, GatewayTestEnvironment.jwks.uri("mig-old"), List.of("RS256")),
            TestRoutes.idp("mig-new", iss, GatewayTestEnvironment.jwks.uri("mig-new"), List.of("RS256"))),
        List.of(TestRoutes.route("jwt-mig", new dev.outpost.spec.model.RouteMatch("/jwt-mig", List.of(), List.of()),
            true, TestRoutes.jwt(List.of("mig-old", "mig-new"), List.of()), null, null)));
    try {
      awaitStatus("/jwt-mig/x", Tokens.sign(oldKey, "RS256", Tokens.claims(iss, "uma", null)), 200);
      assertThat(call("/jwt-mig/x", Tokens.sign(newKey, "RS256", Tokens.claims(iss, "vic", null))).statusCode())
          .as("signed with the key only the second provider publishes").isEqualTo(200);
      GatewayTestEnvironment.upstream.clear();
      PublicJsonWebKey forged = Tokens.rsa("mig-new-k");
      assertThat(call("/jwt-mig/x", Tokens.sign(forged, "RS256", Tokens.claims(iss, "vic", null))).statusCode())
          .as("another key under the second provider's kid").isEqualTo(401);
      assertThat(call("/jwt-mig/x", Tokens.sign(Tokens.rsa("mig-none"), "RS256", Tokens.claims(iss, "wes", null))).statusCode())
          .as("a kid neither publishes").isEqualTo(401);
      assertThat(GatewayTestEnvironment.upstream.count()).isZero();

      GatewayTestEnvironment.jwks.down("mig-new", true);
      Thread.sleep(250); // past the test profile's 200 ms between fetches, so the next unknown kid asks the IdP
      assertThat(call("/jwt-mig/x", Tokens.sign(oldKey, "RS256", Tokens.claims(iss, "xia", null))).statusCode())
          .as("the first provider verifies it; the second's outage does not matter").isEqualTo(200);
      assertThat(call("/jwt-mig/x", Tokens.sign(Tokens.rsa("mig-later"), "RS256", Tokens.claims(iss, "yan", null))).statusCode())
          .as("a kid the first does not publish and the second's keys cannot be had: undecidable").isEqualTo(503);
    } finally {
      GatewayTestEnvironment.jwks.down("mig-new", false);
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  /**
   * A token remembered as verified by one provider, for an audience another route accepts, is still
   * verified by another provider of its issuer on a route whose first provider does not accept that
   * audience: the answer does not depend on which route the token reached first.
   */

  /**
   * A refused token's 401 names what is wrong with it. jose4j's message quotes the token's claims, and
   * the reason was found by searching it: every token was "wrong issuer" (the claims hold "iss").
   */
  @Test
  void aRefusedTokenIsToldWhatIsWrongWithIt() throws Exception {
    JwtClaims noExpiry = Tokens.claims(Tokens.MAIN_ISSUER, "alice", null);
    noExpiry.unsetClaim("exp");
    JwtClaims noSubject = Tokens.claims(Tokens.MAIN_ISSUER, "alice", null);
    noSubject.unsetClaim("sub");
    JwtClaims numericSubject = Tokens.claims(Tokens.MAIN_ISSUER, "alice", null);
    numericSubject.setClaim("sub", 42);
    JwtClaims textExpiry = Tokens.claims(Tokens.MAIN_ISSUER, "alice", null);
    textExpiry.setClaim("exp", "tomorrow");
    JwtClaims notYet = Tokens.claims(Tokens.MAIN_ISSUER, "alice", null);
    notYet.setNotBefore(NumericDate.fromSeconds(NumericDate.now().getValue() + 3600));
    notYet.setExpirationTime(NumericDate.fromSeconds(NumericDate.now().getValue() + 7200));
    JwtClaims expired = Tokens.claims(Tokens.MAIN_ISSUER, "alice", null);
    expired.setNotBefore(NumericDate.fromSeconds(NumericDate.now().getValue() - 7200));
    expired.setExpirationTime(NumericDate.fromSeconds(NumericDate.now().getValue() - 3600));
    for (var c : List.of(
        List.of(noExpiry, "no expiration time (exp)"),
        List.of(noSubject, "no subject (sub)"),
        List.of(numericSubject, "a claim has the wrong type"),
        List.of(textExpiry, "a claim has the wrong type"),
        List.of(notYet, "not yet valid (nbf)"),
        List.of(expired, "expired"))) {
      HttpResponse<String> response = call("/jwt/a", Tokens.sign(Tokens.MAIN_KEY, "RS256", (JwtClaims) c.get(0)));
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.body()).as(((JwtClaims) c.get(0)).toJson())
          .contains("\"the token is not valid: " + c.get(1) + "\"");
    }
    assertThat(GatewayTestEnvironment.upstream.poll(200)).isNull();
  }
  @Test
  void aRememberedTokenIsVerifiedByTheProviderOfItsAudience() throws Exception {
    String iss = "https://idp.test/audiences";
    PublicJsonWebKey key = Tokens.rsa("aud-k");
    GatewayTestEnvironment.jwks.publish("aud", key);
    GatewayTestEnvironment.writeTable(
        List.of(new dev.outpost.spec.model.IdentityProvider("aud-x", iss, GatewayTestEnvironment.jwks.uri("aud"), List.of("x"),
                List.of("RS256"), 30),
            new dev.outpost.spec.model.IdentityProvider("aud-y", iss, GatewayTestEnvironment.jwks.uri("aud"), List.of("y"),
                List.of("RS256"), 30)),
        List.of(TestRoutes.route("jwt-aud-q", new dev.outpost.spec.model.RouteMatch("/jwt-aud-q", List.of(), List.of()), true,
                new dev.outpost.spec.model.RouteAuth(new dev.outpost.spec.model.JwtAuth(List.of("aud-x"), List.of("y"),
                    List.of(), false), null, null), null, null),
            TestRoutes.route("jwt-aud-r", new dev.outpost.spec.model.RouteMatch("/jwt-aud-r", List.of(), List.of()), true,
                TestRoutes.jwt(List.of("aud-x", "aud-y"), List.of()), null, null)));
    try {
      org.jose4j.jwt.JwtClaims claims = Tokens.claims(iss, "zed", null);
      claims.setAudience("y");
      String token = Tokens.sign(key, "RS256", claims);
      awaitStatus("/jwt-aud-q/x", token, 200);
      assertThat(call("/jwt-aud-r/x", token).statusCode()).as("remembered under aud-x, verified by aud-y").isEqualTo(200);
    } finally {
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  private static void writeWithProvider(String name, String issuer, List<String> algorithms) {
    GatewayTestEnvironment.writeTable(List.of(TestRoutes.idp(name, issuer, GatewayTestEnvironment.jwks.uri(name), algorithms)),
        List.of(TestRoutes.route("jwt-" + name, new dev.outpost.spec.model.RouteMatch("/jwt-" + name, List.of(), List.of()),
            true, TestRoutes.jwt(List.of(name), List.of()), null, null)));
  }
}
