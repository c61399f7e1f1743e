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
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Connections held open at once are bounded ({@code quarkus.http.limits.max-connections}, which the
 * chart sets from {@code gateway.maxConnections}), as nginx's {@code worker_connections}: past it a
 * new connection is closed at once, so that a flood of idle connections cannot take the heap, and
 * the connections already open are served on.
 */
@QuarkusTest
@TestProfile(MaxConnectionsTest.TwoConnections.class)
@QuarkusTestResource(GatewayTestEnvironment.class)
class MaxConnectionsTest {

  public static class TwoConnections implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.http.limits.max-connections", "2");
    }
  }

  @TestHTTPResource("/")
  URL gateway;

  @TestHTTPResource(value = "/health/ready", management = true)
  URL readiness;

  private static final byte[] GET = "GET /pub/first HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  @Test
  void pastTheLimitANewConnectionIsClosedAndTheOpenOnesAreServed() throws Exception {
    try (Socket first = served(); Socket second = served()) {
      try (Socket third = new Socket("127.0.0.1", gateway.getPort())) {
        third.setSoTimeout(5_000);
        int answer;
        try {
          third.getOutputStream().write(GET);
          answer = third.getInputStream().read();
        } catch (IOException reset) {
          answer = -1;
        }
        assertThat(answer).as("a connection past the limit is closed without an answer").isEqualTo(-1);
      }
      first.getOutputStream().write(GET);
      assertThat(RawHttp.read(first.getInputStream()).status()).as("an open connection is served on").isEqualTo(200);
      // the management port is a server of its own: probes and scrapes go on while the public one is full
      assertThat(java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(readiness.toURI()).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }
    // both closed: a new connection is served again, once the server has seen them go
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      try (Socket again = served()) {
        break;
      } catch (AssertionError | IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(50);
      }
    }
  }

  /** A connection that was answered 200 and is kept open. */
  private Socket served() throws IOException {
    Socket socket = new Socket("127.0.0.1", gateway.getPort());
    socket.setSoTimeout(5_000);
    try {
      socket.getOutputStream().write(GET);
      assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
      return socket;
    } catch (IOException | AssertionError e) {
      socket.close();
      throw e;
    }
  }
}
