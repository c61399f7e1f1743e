package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LoopbackUpstream;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow client's response can arrive at the gateway in full while most of it still waits to be
 * passed on. The upstream connection then goes back to the pool and carries the next request. When
 * the slow client leaves at that moment, its exchange must not reset the upstream request: Vert.x
 * closes the connection when a request whose response has ended is reset, and that connection now
 * carries another client's request. A {@code POST} is not sent again, so its client got 502 from an
 * integration that was answering it. One event loop and one pooled connection, so the second
 * request can only go up on the slow client's connection.
 */
@QuarkusTest
@TestProfile(UpstreamPoolTest.OnePooledConnection.class)
@QuarkusTestResource(GatewayTestEnvironment.class)
class ConnectionHandoverTest {

  private static final int RESPONSE_BYTES = 1024 * 1024;

  @TestHTTPResource("/")
  URL gateway;

  @AfterEach
  void clear() {
    GatewayTestEnvironment.upstream.clear();
  }

  @Test
  void aClientLeavingAfterItsResponseArrivedDoesNotCloseTheConnectionAnotherRequestTook() throws Exception {
    LoopbackUpstream upstream = GatewayTestEnvironment.upstream;
    try (Socket slow = new Socket()) {
      slow.setReceiveBufferSize(8 * 1024);
      slow.connect(new InetSocketAddress("127.0.0.1", gateway.getPort()));
      slow.getOutputStream().write(("GET /pub/sized?bytes=" + RESPONSE_BYTES + " HTTP/1.1\r\nHost: gw\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(upstream.next().uri()).startsWith("/sized");

      // waits for the one pooled connection, which the slow client's exchange holds
      CompletableFuture<RawHttp.Response> post = CompletableFuture.supplyAsync(() -> {
        try {
          return RawHttp.send(gateway.getPort(),
              "POST /pub/slow HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Thread.sleep(200);

      // the slow client reads a little at a time until the POST goes up: the gateway has then had
      // the whole response, and handed its connection over, while the client has not read it all
      long read = readUntilTheConnectionIsHandedOver(slow, upstream);
      assertThat(read).as("bytes the slow client had read when the POST went up").isLessThan(RESPONSE_BYTES);
      slow.close();

      RawHttp.Response answer = post.get(10, TimeUnit.SECONDS);
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("slow");
    }
  }

  private static long readUntilTheConnectionIsHandedOver(Socket slow, LoopbackUpstream upstream) throws Exception {
    InputStream in = slow.getInputStream();
    slow.setSoTimeout(5);
    byte[] step = new byte[4 * 1024];
    long read = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline) {
      LoopbackUpstream.Received next = upstream.poll(0);
      if (next != null) {
        assertThat(next.method()).isEqualTo("POST");
        return read;
      }
      try {
        int n = in.read(step);
        if (n < 0) {
          break;
        }
        read += n;
        Thread.sleep(1); // a slow client: the gateway holds the rest back
      } catch (SocketTimeoutException nothingYet) {
        // the gateway has not passed more on yet
      }
    }
    throw new AssertionError("the POST did not go up while the slow client read its response (" + read + " bytes read)");
  }
}
