package dev.outpost.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LoopbackUpstream.Received;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behind a trusted proxy (here every loopback address, the tests' own connections), the client is
 * the right-most X-Forwarded-For address that is not a trusted proxy: what rate limits count, what
 * the upstream is told. A client naming another address left of it gains nothing. Without trusted
 * proxies (every other test class) a client's X-Forwarded-For is replaced ({@code ProxyTest}).
 */
@QuarkusTest
@TestProfile(TrustedProxiesTest.BehindLoopbackProxies.class)
@QuarkusTestResource(GatewayTestEnvironment.class)
class TrustedProxiesTest {

  /** Connections from 127.0.0.0/8 come from trusted proxies. */
  public static class BehindLoopbackProxies implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.gateway.trusted-proxies", "127.0.0.0/8");
    }
  }

  @TestHTTPResource("/")
  URL gateway;

  @BeforeEach
  void clear() {
    GatewayTestEnvironment.upstream.clear();
  }

  private Received forwarded(String path, String forwardedFor) throws Exception {
    return viaProxy(path, "X-Forwarded-For: " + forwardedFor + "\r\n");
  }

  private Received viaProxy(String path, String headers) throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n"
        + headers + "\r\n");
    assertThat(response.status()).isEqualTo(200);
    return GatewayTestEnvironment.upstream.next();
  }

  @Test
  void theSchemeAndHostTheTrustedProxyForwardsReachTheIntegration() throws Exception {
    // an ingress that terminated TLS for shop.example.com
    Received got = viaProxy("/pub/origin",
        "X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example.com\r\n");
    assertThat(got.headers().getAll("X-Forwarded-Proto")).containsExactly("https");
    assertThat(got.headers().getAll("X-Forwarded-Host")).containsExactly("shop.example.com");
    assertThat(got.headers().get("Forwarded")).isEqualTo("for=198.51.100.7;proto=https;host=\"shop.example.com\"");
    // a list: the left-most value, the one the client used
    io.vertx.core.MultiMap list = viaProxy("/pub/list",
        "X-Forwarded-Proto: https, http\r\nX-Forwarded-Host: shop.example.com:8443, gw.test\r\n").headers();
    assertThat(list.get("X-Forwarded-Proto")).isEqualTo("https");
    assertThat(list.get("X-Forwarded-Host")).isEqualTo("shop.example.com:8443");
    // what is not a scheme or a host is not passed on: the gateway's own view instead
    io.vertx.core.MultiMap junk = viaProxy("/pub/junk", "X-Forwarded-Proto: javascript\r\nX-Forwarded-Host: a b/c\r\n").headers();
    assertThat(junk.getAll("X-Forwarded-Proto")).containsExactly("http");
    assertThat(junk.getAll("X-Forwarded-Host")).containsExactly("gw.test");
  }

  @Test
  void theClientIsTheRightMostAddressNotATrustedProxyAndTheChainGoesOn() throws Exception {
    // 203.0.113.9 is what the client wrote; 198.51.100.7 is what the trusted proxy saw
    Received got = forwarded("/pub/chain", "203.0.113.9, 198.51.100.7");
    assertThat(got.headers().get("X-Forwarded-For")).isEqualTo("203.0.113.9, 198.51.100.7, 127.0.0.1");
    assertThat(got.headers().get("Forwarded")).startsWith("for=198.51.100.7;");
  }

  @Test
  void trustedHopsAreSkippedAndAHopThatIsNotAnAddressEndsTheWalk() throws Exception {
    assertThat(forwarded("/pub/hops", "198.51.100.7, 127.0.0.9").headers().get("Forwarded"))
        .startsWith("for=198.51.100.7;");
    assertThat(forwarded("/pub/name", "198.51.100.7, proxy.internal").headers().get("Forwarded"))
        .as("not an address: the last trusted hop is the client").startsWith("for=127.0.0.1;");
    assertThat(forwarded("/pub/v6", "2001:db8::1").headers().get("Forwarded")).startsWith("for=\"[2001:db8:0:0:0:0:0:1]\";");
  }

  @Test
  void aRateLimitByClientIpCountsEachForwardedClientApart() throws Exception {
    // /limited admits 5 per hour per client IP
    for (int i = 0; i < 5; i++) {
      assertThat(limited("198.51.100.20")).isEqualTo(200);
    }
    assertThat(limited("198.51.100.20")).isEqualTo(429);
    assertThat(limited("198.51.100.21")).as("another client behind the same proxy").isEqualTo(200);
    // writing a fresh address left of the proxy's does not buy a fresh budget
    assertThat(limited("10.1.2.3, 198.51.100.20")).isEqualTo(429);
  }

  @Test
  void aRateLimitByClientIpCountsAnIpv6ClientByItsSlash64() throws Exception {
    // one host rotating through the addresses of its /64 gets one budget, not 2^64
    for (int i = 1; i <= 5; i++) {
      assertThat(limited("2001:db8:7:1::" + i)).isEqualTo(200);
    }
    assertThat(limited("2001:db8:7:1:ffff:ffff:ffff:ffff")).isEqualTo(429);
    assertThat(limited("2001:DB8:7:1:0:0:0:99")).as("the same /64 written otherwise").isEqualTo(429);
    assertThat(limited("2001:db8:7:2::1")).as("the next /64, another subscriber").isEqualTo(200);
  }

  private int limited(String forwardedFor) throws Exception {
    return RawHttp.send(gateway.getPort(), "GET /limited/x HTTP/1.1\r\nHost: gw.test\r\nX-Forwarded-For: "
        + forwardedFor + "\r\n\r\n").status();
  }
}
