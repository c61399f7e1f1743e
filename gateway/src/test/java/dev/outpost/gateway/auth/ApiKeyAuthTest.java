package dev.outpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LogCapture;
import dev.outpost.gateway.support.LoopbackUpstream.Received;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** API key routes with keys hashed in a secret file: who gets through, what the upstream sees, rotation. */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class ApiKeyAuthTest {

  @TestHTTPResource("/")
  URL gateway;

  @BeforeEach
  void clear() {
    GatewayTestEnvironment.upstream.clear();
  }

  private RawHttp.Response call(String headers) throws Exception {
    return RawHttp.send(gateway.getPort(), "GET /apikey/data HTTP/1.1\r\nHost: gw\r\n" + headers + "\r\n");
  }

  @Test
  void aKnownKeyPassesAsItsClientAndIsNotForwarded() throws Exception {
    assertThat(call("X-API-Key: " + GatewayTestEnvironment.API_KEY + "\r\nX-Outpost-Issuer: https://idp.test/spoofed\r\n"
        + "x_outpost_issuer: https://idp.test/spoofed\r\n").status()).isEqualTo(200);
    Received got = GatewayTestEnvironment.upstream.next();
    assertThat(got.headers().get("X-Outpost-Subject")).isEqualTo("client-a");
    assertThat(got.headers().names()).as("an API key has no issuer, and a client names none")
        .noneMatch(name -> name.toLowerCase(java.util.Locale.ROOT).replace('_', '-').equals("x-outpost-issuer"));
    assertThat(got.headers().contains("X-API-Key")).isFalse();
    assertThat(call("x-api-key: " + GatewayTestEnvironment.API_KEY_OTHER + "\r\n").status()).isEqualTo(200);
    assertThat(GatewayTestEnvironment.upstream.next().headers().get("X-Outpost-Subject")).isEqualTo("client-b");
  }

  @Test
  void badKeysAreRefusedAndNothingGoesUp() throws Exception {
    String[] attempts = {
        "",
        "X-API-Key: \r\n",
        "X-API-Key: wrong\r\n",
        "X-API-Key: " + GatewayTestEnvironment.API_KEY + "x\r\n",
        "X-API-Key: " + GatewayTestEnvironment.API_KEY.toUpperCase() + "\r\n",
        "X-API-Key: client-a\r\n",
        "X-API-Key: " + HexFormat.of().formatHex(ApiKeyAuthenticator.sha256(GatewayTestEnvironment.API_KEY)) + "\r\n",
        "X-API-Key: wrong\r\nX-API-Key: " + GatewayTestEnvironment.API_KEY + "\r\n",
        "Authorization: Bearer " + GatewayTestEnvironment.API_KEY + "\r\n",
    };
    for (String attempt : attempts) {
      RawHttp.Response refused = call(attempt);
      assertThat(refused.status()).as(attempt).isEqualTo(401);
      // RFC 9110 15.5.2: a 401 says how to authenticate
      assertThat(refused.header("WWW-Authenticate")).as(attempt).isEqualTo("Key header=\"X-API-Key\"");
    }
    assertThat(GatewayTestEnvironment.upstream.count()).isZero();
  }

  @Test
  void keysRotateWhenTheSecretChanges() throws Exception {
    Path file = GatewayTestEnvironment.home.resolve("secrets/api-keys/keys");
    String original = Files.readString(file);
    String fresh = "k-rotated-" + System.nanoTime();
    try {
      Files.writeString(file, original + "client-c:" + HexFormat.of().formatHex(ApiKeyAuthenticator.sha256(fresh)) + "\n");
      assertThat(statusOnceSettled(fresh, 200)).isEqualTo(200);
      // the key taken out again is refused: a reload replaces the keys, it does not add to them
      Files.writeString(file, original);
      assertThat(statusOnceSettled(fresh, 401)).as("the removed key").isEqualTo(401);
    } finally {
      Files.writeString(file, original);
    }
  }

  /** The status a request with {@code key} gets once it is {@code expected}, or after 4 s of polling. */
  private int statusOnceSettled(String key, int expected) throws Exception {
    long deadline = System.currentTimeMillis() + 4000;
    int status;
    do {
      Thread.sleep(200);
      status = call("X-API-Key: " + key + "\r\n").status();
    } while (status != expected && System.currentTimeMillis() < deadline);
    return status;
  }

  @Test
  void aCommentThatIsNotUtf8IsIgnored() throws Exception {
    Path file = GatewayTestEnvironment.home.resolve("secrets/api-keys/keys");
    byte[] original = Files.readAllBytes(file);
    try {
      java.io.ByteArrayOutputStream edited = new java.io.ByteArrayOutputStream();
      edited.write("# caf".getBytes());
      edited.write(0xe9);
      edited.write(" owner\n".getBytes());
      edited.write(original);
      Files.write(file, edited.toByteArray());
      Thread.sleep(1200);
      assertThat(call("X-API-Key: " + GatewayTestEnvironment.API_KEY + "\r\n").status()).isEqualTo(200);
      assertThat(call("X-API-Key: wrong\r\n").status()).isEqualTo(401);
    } finally {
      Files.write(file, original);
    }
  }

  /** 503, said in the log once, not at every request: a missing Secret wrote an ERROR line per call. */
  @Test
  void anUnreadableSecretIs503() throws Exception {
    Path unreadable = Files.createDirectories(GatewayTestEnvironment.home.resolve("secrets/api-keys/unreadable"));
    try (LogCapture log = LogCapture.start()) {
      for (int i = 0; i < 5; i++) {
        RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /apikey-unreadable/x HTTP/1.1\r\nHost: gw\r\nX-API-Key: "
            + GatewayTestEnvironment.API_KEY + "\r\n\r\n");
        assertThat(response.status()).isEqualTo(503);
      }
      assertThat(GatewayTestEnvironment.upstream.count()).isZero();
      assertThat(log.records()).filteredOn(r -> String.valueOf(r.getMessage()).contains("secret api-keys/unreadable"))
          .singleElement().satisfies(r -> assertThat(r.getMessage()).contains("not readable at").contains("answer 503"));
    } finally {
      Files.delete(unreadable);
    }
  }
}
