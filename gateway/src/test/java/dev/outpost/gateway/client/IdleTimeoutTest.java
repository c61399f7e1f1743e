package dev.outpost.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server's idle timeout ({@code quarkus.http.idle-timeout}, 1 s here) against routes whose
 * timeout (2 s) is longer. Vert.x closes a connection on which nothing was read or written for that
 * long, a request in flight or not: a route allowed to answer in 60 s, or a stream quiet between two
 * events, was cut at 30 s with no answer at all, recorded as the client's leaving (499), the breaker
 * never told. While the gateway waits on the integration the route's timeout decides.
 */
@QuarkusTest
@TestProfile(IdleTimeoutTest.OneSecondIdle.class)
@QuarkusTestResource(GatewayTestEnvironment.class)
class IdleTimeoutTest {

  public static class OneSecondIdle implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.http.idle-timeout", "1s");
    }
  }

  @TestHTTPResource("/")
  URL gateway;

  @Test
  void anAnswerSlowerThanTheIdleTimeoutButWithinTheRoutesArrives() throws Exception {
    RawHttp.Response paused = RawHttp.send(gateway.getPort(), "GET /pub/pause?ms=1500 HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.body()).isEqualTo("paused");
  }

  @Test
  void aStreamQuietForLongerThanTheIdleTimeoutButNotTheRoutesGoesOn() throws Exception {
    RawHttp.Response stream = RawHttp.send(gateway.getPort(), "GET /pub/gaps?ms=1500 HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.body()).isEqualTo("first second");
  }

  @Test
  void aConnectionWithNothingInFlightIsStillClosedAtTheIdleTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /pub/first HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(RawHttp.read(in).status()).isEqualTo(200);
      long answered = System.nanoTime();
      assertThat(endOf(in)).as("the kept connection, idle, is closed").isEqualTo(-1);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered)).isBetween(500L, 5_000L);
    }
  }

  private static int endOf(InputStream in) {
    try {
      return in.read();
    } catch (IOException reset) {
      return -1;
    }
  }
}
