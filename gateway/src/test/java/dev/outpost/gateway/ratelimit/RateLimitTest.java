package dev.outpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.RawHttp;
import dev.outpost.gateway.support.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import dev.outpost.gateway.support.RawUpstream;
import dev.outpost.gateway.support.TestRoutes;
import dev.outpost.spec.model.RateLimit;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteAuth;
import dev.outpost.spec.model.RouteMatch;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rate-limited routes through the gateway (embedded Hazelcast member): headers, 429, per-key budgets. */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class RateLimitTest {

  @TestHTTPResource("/")
  URL gateway;

  @BeforeEach
  void clear() {
    GatewayTestEnvironment.upstream.clear();
  }

  @Test
  void theBudgetIsSpentThen429WithRetryAfter() throws Exception {
    for (int i = 0; i < 5; i++) {
      RawHttp.Response ok = RawHttp.send(gateway.getPort(), "GET /limited/x HTTP/1.1\r\nHost: gw\r\n\r\n");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.header("RateLimit-Limit")).isEqualTo("5");
      assertThat(ok.header("RateLimit-Policy")).isEqualTo("5;w=3600");
      assertThat(Long.parseLong(ok.header("RateLimit-Remaining"))).isEqualTo(4 - i);
    }
    RawHttp.Response refused = RawHttp.send(gateway.getPort(), "GET /limited/x HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.header("RateLimit-Remaining")).isEqualTo("0");
    long retryAfter = Long.parseLong(refused.header("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 3600L);
    assertThat(refused.header("RateLimit-Reset")).isEqualTo(refused.header("Retry-After"));
    assertThat(GatewayTestEnvironment.upstream.count()).isEqualTo(5);
  }

  @Test
  void eachSubjectHasItsOwnBudget() throws Exception {
    String alice = Tokens.valid("rl-alice", null);
    String bob = Tokens.valid("rl-bob", null);
    for (int i = 0; i < 3; i++) {
      assertThat(call(alice).status()).isEqualTo(200);
    }
    assertThat(call(alice).status()).isEqualTo(429);
    assertThat(call(Tokens.valid("rl-alice", "other")).status()).as("a new token for the same subject shares its budget").isEqualTo(429);
    assertThat(call(bob).status()).isEqualTo(200);
  }

  /** The route trusts two identity providers; a subject of one is not the same caller as the same subject of the other. */
  @Test
  void theSameSubjectFromAnotherIssuerHasItsOwnBudget() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(call(Tokens.valid("rl-carol", null)).status()).isEqualTo(200);
    }
    assertThat(call(Tokens.valid("rl-carol", null)).status()).isEqualTo(429);
    String fromEc = Tokens.sign(Tokens.EC_KEY, "ES256", Tokens.claims(Tokens.EC_ISSUER, "rl-carol", null));
    assertThat(call(fromEc).status()).isEqualTo(200);
  }

  /**
   * Two providers sharing an issuer (an IdP moving its JWKS) know one set of subjects: a subject's
   * budget is one, whichever provider's keys verified its token. Keyed by the provider's name, each
   * provider gave the same caller a budget of its own.
   */
  @Test
  void providersSharingAnIssuerShareTheirSubjectsBudgets() throws Exception {
    String iss = "https://idp.test/rl-migrating";
    org.jose4j.jwk.PublicJsonWebKey oldKey = Tokens.rsa("rl-mig-old-k");
    org.jose4j.jwk.PublicJsonWebKey newKey = Tokens.rsa("rl-mig-new-k");
    GatewayTestEnvironment.jwks.publish("rl-mig-old", oldKey);
    GatewayTestEnvironment.jwks.publish("rl-mig-new", newKey);
    GatewayTestEnvironment.writeTable(List.of(
            TestRoutes.idp("rl-mig-old", iss, GatewayTestEnvironment.jwks.uri("rl-mig-old"), List.of("RS256")),
            TestRoutes.idp("rl-mig-new", iss, GatewayTestEnvironment.jwks.uri("rl-mig-new"), List.of("RS256"))),
        List.of(TestRoutes.route("limited-mig", new RouteMatch("/limited-mig", List.of(), List.of()), true,
            TestRoutes.jwt(List.of("rl-mig-old", "rl-mig-new"), List.of()), new RateLimit(3, 3600, RateLimit.Key.SUBJECT),
            null)));
    try {
      String oldToken = Tokens.sign(oldKey, "RS256", Tokens.claims(iss, "dave", null));
      long deadline = System.currentTimeMillis() + 10_000;
      while (call("/limited-mig/x", oldToken).status() == 404 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      // the loop's first 200 spent one
      assertThat(call("/limited-mig/x", oldToken).status()).isEqualTo(200);
      assertThat(call("/limited-mig/x", oldToken).status()).isEqualTo(200);
      assertThat(call("/limited-mig/x", oldToken).status()).isEqualTo(429);
      assertThat(call("/limited-mig/x", Tokens.sign(newKey, "RS256", Tokens.claims(iss, "dave", null))).status())
          .as("the same subject, verified by the other provider of its issuer").isEqualTo(429);
    } finally {
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  /**
   * On a limited route the gateway's RateLimit-* headers are the answer: an integration's own (from
   * an API it calls) replace nothing and are not listed beside them.
   */
  @Test
  void theGatewaysRateLimitHeadersReplaceTheIntegrations() throws Exception {
    GatewayTestEnvironment.writeRoutes(List.of(new Route("raw-limited", "proj-a",
        new RouteMatch("/raw-limited", List.of(), List.of()), "int-raw", false, RouteAuth.anonymous(),
        new RateLimit(100, 3600, RateLimit.Key.CLIENT_IP), 2000, 0, null, 1024)));
    try (RawUpstream upstream = new RawUpstream(GatewayTestEnvironment.deadPorts.get("raw"),
        head -> "HTTP/1.1 200 OK\r\nRateLimit-Limit: 5000\r\nRateLimit-Remaining: 4999\r\nRateLimit-Reset: 60\r\n"
            // the later drafts' form, which a client reads beside the gateway's RateLimit-Policy
            + "RateLimit: \"burst\";r=4999;t=60\r\nX-RateLimit-Remaining: 4999\r\n"
            + "Content-Length: 2\r\n\r\nok")) {
      RawHttp.Response answer = call("/raw-limited/x", null);
      long deadline = System.currentTimeMillis() + 10_000;
      while (answer.status() == 404 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
        answer = call("/raw-limited/x", null);
      }
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.header("RateLimit-Limit")).isEqualTo("100");
      assertThat(Long.parseLong(answer.header("RateLimit-Remaining"))).isBetween(0L, 99L);
      assertThat(Long.parseLong(answer.header("RateLimit-Reset"))).isBetween(1L, 3600L);
      assertThat(answer.header("RateLimit")).as("no figures of the integration's beside the gateway's").isNull();
      assertThat(answer.header("X-RateLimit-Remaining")).isNull();
    } finally {
      GatewayTestEnvironment.writeRoutes(List.of());
    }
  }

  private RawHttp.Response call(String path, String token) throws Exception {
    return RawHttp.send(gateway.getPort(), "GET " + path + " HTTP/1.1\r\nHost: gw\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n");
  }

  private RawHttp.Response call(String token) throws Exception {
    return RawHttp.send(gateway.getPort(), "GET /limited-jwt/x HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + token + "\r\n\r\n");
  }
}
