package dev.outpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.RawHttp;
import dev.outpost.gateway.support.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
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

  private RawHttp.Response call(String token) throws Exception {
    return RawHttp.send(gateway.getPort(), "GET /limited-jwt/x HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + token + "\r\n\r\n");
  }
}
