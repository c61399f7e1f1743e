package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LoopbackUpstream;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's {@code maxBodyBytes} decides which bodies pass, declared ({@code Content-Length}) or
 * chunked, also past Quarkus' own 10 MiB default; bodies stream to the upstream, never buffered.
 * Routes: {@code small} allows 1 KiB, {@code large} 32 MiB, {@code default-limit} sets none (10 MiB).
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class RequestLimitsTest {

  private static final long MIB = 1024 * 1024;

  @TestHTTPResource("/")
  URL gateway;

  @BeforeEach
  void clear() {
    GatewayTestEnvironment.upstream.clear();
  }

  /** What an upload came to: the answer, the SHA-256 of the body sent, whether the upstream had bytes of it before the client had sent half. */
  private record Upload(RawHttp.Response response, String sha256, boolean upstreamReadBeforeTheEnd) {}

  /**
   * POSTs {@code size} pseudo-random bytes to {@code path}, declared or chunked. With {@code
   * awaitUpstream} the client stops halfway until the upstream has received the body's first bytes
   * (5 s at most): a gateway that buffered the body would send nothing before it had all of it.
   */
  private Upload upload(String path, long size, boolean chunked, boolean awaitUpstream) throws Exception {
    try (Socket client = new Socket("127.0.0.1", gateway.getPort())) {
      client.setSoTimeout(15_000);
      OutputStream out = client.getOutputStream();
      MessageDigest sent = LoopbackUpstream.sha256();
      AtomicBoolean upstreamReadFirst = new AtomicBoolean();
      CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
        try {
          out.write(("POST " + path + " HTTP/1.1\r\nHost: gw\r\n"
              + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + size) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          Random random = new Random(size);
          byte[] chunk = new byte[64 * 1024];
          boolean waited = !awaitUpstream;
          for (long written = 0; written < size; ) {
            int n = (int) Math.min(chunk.length, size - written);
            random.nextBytes(chunk);
            sent.update(chunk, 0, n);
            if (chunked) {
              out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write(chunk, 0, n);
            if (chunked) {
              out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            written += n;
            if (!waited && written >= size / 2) {
              upstreamReadFirst.set(GatewayTestEnvironment.upstream.bodyStarted(path, 5000));
              waited = true;
            }
          }
          if (chunked) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        } catch (IOException closedByGateway) {
          // the gateway answered (413) and closed the connection
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      RawHttp.Response response = RawHttp.read(client.getInputStream());
      client.close();
      writing.get(20, TimeUnit.SECONDS);
      return new Upload(response, HexFormat.of().formatHex(sent.digest()), upstreamReadFirst.get());
    }
  }

  /** What a client that writes its whole request before reading got: the answer, and why its writing stopped, if it did. */
  private record WriteFirst(RawHttp.Response response, IOException writeFailure) {}

  private WriteFirst writeWholeThenRead(String path, long size, boolean chunked) throws Exception {
    try (Socket client = new Socket("127.0.0.1", gateway.getPort())) {
      client.setSoTimeout(15_000);
      OutputStream out = client.getOutputStream();
      IOException failure = null;
      try {
        out.write(("POST " + path + " HTTP/1.1\r\nHost: gw\r\n"
            + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + size) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[64 * 1024];
        for (long written = 0; written < size; written += chunk.length) {
          if (chunked) {
            out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          }
          out.write(chunk);
          if (chunked) {
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        }
        if (chunked) {
          out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
      } catch (IOException e) {
        failure = e;
      }
      return new WriteFirst(RawHttp.read(client.getInputStream()), failure);
    }
  }

  /**
   * A client that writes its whole body before it reads (HttpURLConnection, many SDKs) reads the
   * gateway's refusal, as nginx's lingering close lets it: the connection closed at once, the body
   * still arriving made the kernel reset it, which destroyed the answer unread ("connection reset").
   */
  @Test
  void aClientThatWritesItsWholeBodyBeforeReadingReadsTheRefusal() throws Exception {
    WriteFirst declared = writeWholeThenRead("/small/echo", 16 * MIB, false);
    assertThat(declared.writeFailure()).as("the body past the limit is read and dropped").isNull();
    assertThat(declared.response().status()).isEqualTo(413);
    assertThat(declared.response().header("Connection")).isEqualTo("close");

    WriteFirst midStream = writeWholeThenRead("/default-limit/digest/write-first", 12 * MIB, true);
    assertThat(midStream.writeFailure()).isNull();
    assertThat(midStream.response().status()).isEqualTo(413);
    assertThat(midStream.response().header("Connection")).as("told, so that a client reading as it writes stops")
        .isEqualTo("close");

    GatewayTestEnvironment.writeRoutes(java.util.List.of(new dev.outpost.spec.model.Route("jwt-large", "proj-a",
        new dev.outpost.spec.model.RouteMatch("/jwt-large", java.util.List.of(), java.util.List.of()), "int-jwt-large", true,
        dev.outpost.gateway.support.TestRoutes.jwt(java.util.List.of("main"), java.util.List.of()), null, 2000, 0, null, 64 * MIB)));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (RawHttp.send(gateway.getPort(), "GET /jwt-large/x HTTP/1.1\r\nHost: gw\r\n\r\n").status() != 401) {
      assertThat(System.nanoTime()).as("the route applied").isLessThan(deadline);
      Thread.sleep(50);
    }
    WriteFirst unauthenticated = writeWholeThenRead("/jwt-large/echo", 8 * MIB, false);
    assertThat(unauthenticated.writeFailure()).isNull();
    assertThat(unauthenticated.response().status()).isEqualTo(401);
    assertThat(unauthenticated.response().header("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void aRouteAllowingMoreThanTheServersDefaultTakesA20MiBBodyStreamedIntact() throws Exception {
    for (boolean chunked : new boolean[] {false, true}) {
      String path = "/large/digest/" + (chunked ? "chunked" : "declared");
      Upload upload = upload(path, 20 * MIB, chunked, true);
      assertThat(upload.response().status()).as(path).isEqualTo(200);
      assertThat(upload.response().body()).as("bytes and SHA-256 the upstream received").isEqualTo(20 * MIB + " " + upload.sha256());
      assertThat(upload.upstreamReadBeforeTheEnd()).as("streamed: the upstream read before the client had sent half").isTrue();
    }
  }

  @Test
  void bodiesPastALargeRoutesLimitGet413() throws Exception {
    Upload declared = upload("/large/digest/over", 32 * MIB + 1, false, false);
    assertThat(declared.response().status()).isEqualTo(413);
    assertThat(declared.response().body()).contains("the request body is larger than " + 32 * MIB + " bytes");
    assertThat(GatewayTestEnvironment.upstream.poll(200)).as("nothing went up").isNull();
    Upload chunked = upload("/large/digest/over-chunked", 32 * MIB + 64 * 1024, true, false);
    assertThat(chunked.response().status()).isEqualTo(413);
    assertThat(chunked.response().body()).contains("the request body is larger than the route allows");
  }

  @Test
  void withoutMaxBodyBytesTheDefault10MiBApplies() throws Exception {
    Upload fits = upload("/default-limit/digest/fits", 10 * MIB, false, false);
    assertThat(fits.response().status()).isEqualTo(200);
    assertThat(fits.response().body()).isEqualTo(10 * MIB + " " + fits.sha256());
    Upload declared = upload("/default-limit/digest/over", 10 * MIB + 1, false, false);
    assertThat(declared.response().status()).isEqualTo(413);
    assertThat(declared.response().body()).contains("the request body is larger than " + 10 * MIB + " bytes");
    Upload chunked = upload("/default-limit/digest/over-chunked", 10 * MIB + 1, true, false);
    assertThat(chunked.response().status()).isEqualTo(413);
    assertThat(chunked.response().body()).contains("the request body is larger than the route allows");
  }

  @Test
  void bodyLimitsGive413BeforeAnythingGoesUp() throws Exception {
    RawHttp.Response declared = RawHttp.send(gateway.getPort(), "POST /small/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n"
        + "a".repeat(2000));
    assertThat(declared.status()).isEqualTo(413);
    assertThat(GatewayTestEnvironment.upstream.poll(200)).isNull();
    StringBuilder chunked = new StringBuilder("POST /small/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    IntStream.range(0, 4).forEach(i -> chunked.append("200\r\n").append("b".repeat(512)).append("\r\n"));
    chunked.append("0\r\n\r\n");
    RawHttp.Response streamed = RawHttp.send(gateway.getPort(), chunked.toString());
    assertThat(streamed.status()).isEqualTo(413);
    RawHttp.Response fits = RawHttp.send(gateway.getPort(), "POST /small/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
        + "a".repeat(1000));
    assertThat(fits.status()).isEqualTo(200);
    assertThat(fits.body()).hasSize(1000);
  }

  /**
   * A chunk size that is no hex number, sent once the body streams to the integration, or to a route
   * that refuses the request without reading its body: 400 or the refusal, then the connection
   * closes (nothing after the broken chunk is read as a next request). It was closed unanswered.
   */
  @Test
  void aBrokenChunkIsAnswered400AndTheConnectionClosesAfterTheAnswer() throws Exception {
    for (String[] request : new String[][] {
        {"POST /large/echo/broken-midstream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "400"},
        {"POST /jwt/broken-unread HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "401"}}) {
      try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        out.write(request[0].getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread.sleep(300); // the exchange is under way: the body streams, or the refusal is out
        out.write("zz\r\nabc\r\n0\r\n\r\nGET /pub/after-broken-chunk HTTP/1.1\r\nHost: x\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        RawHttp.Response answer = RawHttp.read(socket.getInputStream());
        assertThat(answer.status()).as(request[0]).isEqualTo(Integer.parseInt(request[1]));
        if (answer.status() == 400) {
          assertThat(answer.body()).contains("not valid chunked transfer coding");
        }
        assertThat(socket.getInputStream().read()).as("closed after the answer").isEqualTo(-1);
      }
    }
    for (LoopbackUpstream.Received r = GatewayTestEnvironment.upstream.poll(200); r != null;
        r = GatewayTestEnvironment.upstream.poll(0)) {
      assertThat(r.uri()).doesNotContain("after-broken-chunk");
    }
  }

  /** The reader of a body that ended is let go; the next request's on the same connection is told. */
  @Test
  void aBrokenChunkAfterAWholeChunkedRequestOnTheSameConnectionIsAnswered400() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /large/echo/whole HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      RawHttp.Response whole = RawHttp.read(socket.getInputStream());
      assertThat(whole.status()).isEqualTo(200);
      assertThat(whole.body()).isEqualTo("hello");
      out.write("POST /large/echo/broken-second HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Thread.sleep(300); // the second body streams to the integration
      out.write("zz\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      RawHttp.Response broken = RawHttp.read(socket.getInputStream());
      assertThat(broken.status()).isEqualTo(400);
      assertThat(broken.body()).contains("not valid chunked transfer coding");
    }
  }
}
