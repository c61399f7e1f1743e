package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The response buffers full: one slow reader holds all of them (64 KiB here), and a second exchange
 * whose client paused a moment has its upstream paused for want of room. Once its client reads on,
 * it is passed on to the end. Before, with nothing left held and the buffers still full, its
 * upstream stayed paused and the response stalled until the client's idle timeout cut it.
 */
@QuarkusTest
@TestProfile(ResponseBuffersTest.SmallBuffers.class)
@QuarkusTestResource(GatewayTestEnvironment.class)
class ResponseBuffersTest {

  public static class SmallBuffers implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.vertx.event-loops-pool-size", "1", "outpost.test.send-buffer-size", "16384",
          "outpost.gateway.response-buffer-bytes", "65536", "outpost.gateway.response-buffers-bytes", "65536");
    }
  }

  @TestHTTPResource("/")
  URL gateway;

  @AfterEach
  void clear() {
    GatewayTestEnvironment.upstream.clear();
  }

  @Test
  void anExchangePausedForWantOfRoomGoesOnOnceItsClientReads() throws Exception {
    try (Socket hog = slowRequest(1024 * 1024); Socket paused = slowRequest(256 * 1024)) {
      Thread.sleep(500); // the hog fills the buffers; the second exchange's client reads nothing yet
      paused.setSoTimeout(10_000);
      InputStream in = paused.getInputStream();
      byte[] head = new byte[1024];
      int n = in.read(head);
      String text = new String(head, 0, n, StandardCharsets.ISO_8859_1);
      assertThat(text).startsWith("HTTP/1.1 200");
      long body = n - (text.indexOf("\r\n\r\n") + 4);
      byte[] rest = new byte[64 * 1024];
      while (body < 256 * 1024) {
        int r = in.read(rest); // a stall fails here after 10 s
        assertThat(r).as("the rest of the body").isPositive();
        body += r;
      }
      assertThat(body).isEqualTo(256 * 1024);
    }
  }

  private Socket slowRequest(int bytes) throws Exception {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(8 * 1024);
    socket.connect(new InetSocketAddress("127.0.0.1", gateway.getPort()));
    socket.getOutputStream().write(("GET /pub/sized?bytes=" + bytes + " HTTP/1.1\r\nHost: gw\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    return socket;
  }
}
