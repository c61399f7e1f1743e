package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LoopbackUpstream;
import dev.outpost.gateway.support.LoopbackUpstream.Received;
import dev.outpost.gateway.support.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests through the gateway to a real upstream on loopback: what the upstream receives, what the client sees. */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class ProxyTest {

  @Inject
  ProxyHandler proxy;

  @TestHTTPResource("/")
  URL gateway;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void clear() {
    GatewayTestEnvironment.upstream.clear();
  }

  private LoopbackUpstream upstream() {
    return GatewayTestEnvironment.upstream;
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Characters a URI cannot hold raw, which browsers send raw in places and nginx takes: Quarkus
   * answered an empty 400 to them. They reach the upstream percent-encoded, the same to any decoder.
   */
  @Test
  void aTargetWithCharactersBrowsersLeaveRawIsForwardedEncoded() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(),
        "GET /pub/a|b?filter={\"a\":1}&p=x|y^`&s=%zz&k[1]=%41 HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream().next().uri()).isEqualTo("/a%7Cb?filter=%7B%22a%22:1%7D&p=x%7Cy%5E%60&s=%25zz&k[1]=%41");
    // a malformed escape in the path is still refused
    RawHttp.Response malformed = RawHttp.send(gateway.getPort(), "GET /pub/a%zz|b HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(upstream().poll(200)).isNull();
  }

  @Test
  void stripPrefixSendsTheRestOfTheNormalisedPathAndTheQueryUnchanged() throws Exception {
    HttpResponse<String> response = get("/pub//a/./b/../c?x=1&y=%2F");
    assertThat(response.statusCode()).isEqualTo(200);
    Received got = upstream().next();
    assertThat(got.uri()).isEqualTo("/a/c?x=1&y=%2F");
    assertThat(got.headers().get("X-Outpost-Route")).isEqualTo("pub");
    assertThat(got.headers().get("X-Outpost-Integration")).isEqualTo("int-pub");
    assertThat(got.headers().get("X-Outpost-Project")).isEqualTo("proj-a");
    // what was stripped, so that the integration's own links and redirects lead back through it (Kong, Traefik)
    assertThat(got.headers().getAll("X-Forwarded-Prefix")).containsExactly("/pub");
    // a client's own value never arrives
    assertThat(get("/pub/x", "X-Forwarded-Prefix", "/evil").statusCode()).isEqualTo(200);
    assertThat(upstream().next().headers().getAll("X-Forwarded-Prefix")).containsExactly("/pub");
  }

  @Test
  void withoutStripPrefixTheWholeNormalisedPathGoesUp() throws Exception {
    assertThat(get("/keep/%7Ex").statusCode()).isEqualTo(200);
    Received got = upstream().next();
    assertThat(got.uri()).isEqualTo("/keep/~x");
    assertThat(got.headers().get("X-Forwarded-Prefix")).as("nothing stripped").isNull();
  }

  @Test
  void theMostSpecificRouteWins() throws Exception {
    get("/orders/special/1");
    assertThat(upstream().next().headers().get("X-Outpost-Route")).isEqualTo("orders-special");
    get("/orders/1");
    assertThat(upstream().next().headers().get("X-Outpost-Route")).isEqualTo("orders");
    RawHttp.send(gateway.getPort(), "GET /orders/1 HTTP/1.1\r\nHost: api.example.com\r\n\r\n");
    assertThat(upstream().next().headers().get("X-Outpost-Route")).isEqualTo("hosted");
    get("/methods");
    assertThat(upstream().next().headers().get("X-Outpost-Route")).isEqualTo("get-only");
    // the runtime answers a HEAD with the GET route: it is the GET route's to authorize, not another's
    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/methods"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(upstream().next().headers().get("X-Outpost-Route")).isEqualTo("get-only");
    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/methods"))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(upstream().next().headers().get("X-Outpost-Route")).isEqualTo("any-method");
  }

  @Test
  void noRouteIs404AndNothingGoesUp() throws Exception {
    HttpResponse<String> response = get("/nowhere");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("no route matches GET /nowhere");
    assertThat(upstream().poll(200)).isNull();
  }

  /** RFC 3986 allows "host:", an empty port; Vert.x reads it as port 0, which went on as "gw.test:0". */
  @Test
  void aHostWithAnEmptyPortIsForwardedWithoutOne() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.1\r\nHost: gw.test:\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    Received got = upstream().next();
    assertThat(got.headers().getAll("X-Forwarded-Host")).containsExactly("gw.test");
    assertThat(got.headers().getAll("Forwarded")).containsExactly("for=127.0.0.1;proto=http;host=\"gw.test\"");
  }

  /**
   * RFC 9112 9.6: a request whose {@code Connection} lists {@code close} among other options is the
   * connection's last. Vert.x compared the whole value with {@code close}, so the connection stayed
   * open and a request pipelined after it was served.
   */
  @Test
  void aConnectionListNamingCloseEndsTheConnectionAfterItsAnswer() throws Exception {
    for (String connection : List.of("HTTP/1.1\r\nConnection: keep-alive, close", "HTTP/1.1\r\nConnection: Host, close",
        "HTTP/1.1\r\nConnection: Close , X-Foo", "HTTP/1.1\r\nConnection: keep-alive\r\nConnection: X-Foo,close",
        "HTTP/1.1\r\nConnection: keep-alive,\tclose", "HTTP/1.0\r\nConnection: keep-alive\r\nConnection: X-Foo, close")) {
      upstream().clear();
      try (java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
        client.setSoTimeout(5000);
        client.getOutputStream().write(("GET /pub/first " + connection.replaceFirst("\r\n", "\r\nHost: gw\r\n")
            + "\r\n\r\n" + "GET /pub/pipelined HTTP/1.1\r\nHost: gw\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        InputStream in = client.getInputStream();
        RawHttp.Response first = RawHttp.read(in);
        assertThat(first.status()).as(connection).isEqualTo(200);
        if (connection.startsWith("HTTP/1.0")) {
          assertThat(first.header("Connection")).as("HTTP/1.0 closes unless it says keep-alive").isNull();
        } else {
          assertThat(first.header("Connection")).as(connection).isEqualToIgnoringCase("close");
        }
        assertThat(in.read()).as("closed after the answer, nothing more served: " + connection).isEqualTo(-1);
      }
      assertThat(upstream().next().uri()).isEqualTo("/first");
      assertThat(upstream().poll(200)).as("the pipelined request is not served").isNull();
    }
  }

  /** An option that only begins like close (clo) ends nothing: the pipelined request is served. */
  @Test
  void aConnectionListNamingNoCloseKeepsTheConnection() throws Exception {
    upstream().clear();
    try (java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      client.setSoTimeout(5000);
      client.getOutputStream().write(("GET /pub/first HTTP/1.1\r\nHost: gw\r\nConnection: keep-alive, clo\r\n\r\n"
          + "GET /pub/pipelined HTTP/1.1\r\nHost: gw\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      InputStream in = client.getInputStream();
      assertThat(RawHttp.read(in).status()).isEqualTo(200);
      assertThat(RawHttp.read(in).status()).as("the pipelined request, served").isEqualTo(200);
    }
  }

  @Test
  void identityAndForwardingHeadersFromTheClientAreReplaced() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.1\r\nHost: gw.test\r\n"
        + "X-Outpost-Subject: admin\r\nX-Outpost-Scopes: all\r\nx-outpost-project: other\r\nX-Outpost-Issuer: https://idp.test/x\r\n"
        + "X-Forwarded-For: 10.9.9.9\r\nX-Forwarded-Host: evil\r\nX-Forwarded-Proto: https\r\n"
        + "Forwarded: for=10.9.9.9\r\nX-Real-IP: 10.9.9.9\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    Received got = upstream().next();
    assertThat(got.headers().contains("X-Outpost-Subject")).isFalse();
    assertThat(got.headers().contains("X-Outpost-Scopes")).isFalse();
    assertThat(got.headers().contains("X-Outpost-Issuer")).isFalse();
    assertThat(got.headers().getAll("X-Outpost-Project")).containsExactly("proj-a");
    assertThat(got.headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
    assertThat(got.headers().getAll("X-Forwarded-Host")).containsExactly("gw.test");
    assertThat(got.headers().getAll("X-Forwarded-Proto")).containsExactly("http");
    assertThat(got.headers().getAll("Forwarded")).containsExactly("for=127.0.0.1;proto=http;host=\"gw.test\"");
    assertThat(got.headers().getAll("Host")).as("the upstream's own authority")
        .containsExactly(GatewayTestEnvironment.upstream.url().substring("http://".length()));
    assertThat(got.headers().contains("X-Real-IP")).isFalse();
    assertThat(got.headers().getAll("Via")).as("RFC 9110 7.6.3: a gateway adds itself to each request it forwards")
        .containsExactly("1.1 outpost");
  }

  @Test
  void viaKeepsWhatEarlierProxiesAddedAndSaysTheClientsVersion() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.0\r\nHost: gw.test\r\n"
        + "Via: 1.1 edge-proxy\r\nVia: 1.1 cdn\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream().next().headers().getAll("Via")).containsExactly("1.1 edge-proxy, 1.1 cdn, 1.0 outpost");
  }

  @Test
  void theGatewaysOwnAnswersAreDated() throws Exception {
    for (String request : java.util.List.of("GET /nowhere HTTP/1.1\r\nHost: gw\r\n\r\n",
        "GET /jwt/x HTTP/1.1\r\nHost: gw\r\n\r\n")) {
      RawHttp.Response response = RawHttp.send(gateway.getPort(), request);
      assertThat(response.status()).isIn(401, 404);
      assertThat(response.header("Date")).as("RFC 9110 6.6.1: an origin's 4xx carries Date").isNotNull();
      assertThat(java.time.ZonedDateTime.parse(response.header("Date"), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME))
          .isCloseTo(java.time.ZonedDateTime.now(), org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MINUTES));
    }
  }

  @Test
  void hopByHopAndConnectionNamedHeadersAreRemovedBothWays() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /pub/hop HTTP/1.1\r\nHost: gw.test\r\n"
        + "Connection: keep-alive, X-Secret-Hop, X-Forwarded-For\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
        + "Proxy-Authorization: Basic eA==\r\nTE: trailers\r\nX-Kept: yes\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    Received got = upstream().next();
    assertThat(got.headers().contains("X-Secret-Hop")).isFalse();
    assertThat(got.headers().contains("Keep-Alive")).isFalse();
    assertThat(got.headers().contains("Proxy-Authorization")).isFalse();
    assertThat(got.headers().contains("TE")).isFalse();
    assertThat(got.headers().get("X-Kept")).isEqualTo("yes");
    assertThat(got.headers().get("X-Forwarded-For")).as("the gateway's own value survives").isEqualTo("127.0.0.1");
    assertThat(response.header("X-Upstream-Secret")).isNull();
    assertThat(response.header("Keep-Alive")).isNull();
  }

  @Test
  void theResponseCarriesTheGatewaysDateNotTheUpstreamsAsNginxDoes() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /pub/dated HTTP/1.1\r\nHost: gw.test\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    Instant date = DateTimeFormatter.RFC_1123_DATE_TIME.parse(response.header("Date"), Instant::from);
    assertThat(Duration.between(date, Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
    // RFC 9110 5.6.7: a two-digit day; vertx-http-proxy's stamp read "Mon, 7 Dec 2026" on days 1 to 9
    assertThat(response.header("Date")).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
  }

  @Test
  void traceparentIsPropagated() throws Exception {
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    get("/pub/t", "traceparent", traceparent);
    String sent = upstream().next().headers().get("traceparent");
    assertThat(sent).startsWith("00-0af7651916cd43dd8448eb211c80319c-");
  }

  @Test
  void bodiesStreamBothWays() throws Exception {
    byte[] payload = new byte[3 * 1024 * 1024 / 4];
    new Random(1).nextBytes(payload);
    HttpResponse<byte[]> echoed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/pub/echo"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(payload))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(echoed.statusCode()).isEqualTo(200);
    assertThat(Arrays.equals(echoed.body(), payload)).isTrue();
    assertThat(upstream().next().headers().contains("Content-Length")).as("sent chunked, forwarded chunked").isFalse();

    HttpResponse<InputStream> big = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.getPort() + "/pub/big")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = big.body()) {
      assertThat(in.transferTo(java.io.OutputStream.nullOutputStream()))
          .isEqualTo((long) LoopbackUpstream.BIG_CHUNKS * LoopbackUpstream.CHUNK);
    }
  }

  @Test
  void oversizedHeadersAreRefused() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
    assertThat(response.status()).isIn(400, 431);
    assertThat(upstream().poll(200)).isNull();
  }

  @Test
  void expect100ContinueIsAnsweredByTheGatewayAndNotForwarded() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      socket.setSoTimeout(3000);
      java.io.OutputStream out = socket.getOutputStream();
      out.write("POST /pub/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n".getBytes());
      out.flush();
      assertThat(RawHttp.read(socket.getInputStream()).status()).as("interim response before the body").isEqualTo(100);
      out.write("hello".getBytes());
      out.flush();
      RawHttp.Response response = RawHttp.read(socket.getInputStream());
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello");
    }
    Received got = upstream().next();
    assertThat(got.body().toString()).isEqualTo("hello");
    assertThat(got.headers().contains("Expect")).isFalse();
  }

  /** A request refused anyway is answered without a 100 first: the client is not asked for a body that is not wanted. */
  @Test
  void aRefusedRequestExpectingContinueGetsItsRefusalNotA100() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      socket.setSoTimeout(3000);
      socket.getOutputStream().write(
          "POST /jwt/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n".getBytes());
      socket.getOutputStream().flush();
      assertThat(RawHttp.read(socket.getInputStream()).status()).as("no token").isEqualTo(401);
    }
    assertThat(upstream().poll(200)).isNull();
  }

  @Test
  void aRequestTargetWithRawNonAsciiBytesIs400WithAHint() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(),
        "GET /pub/caf\u00c3\u00a9 HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).contains("the request target must be ASCII; percent-encode other characters");
    assertThat(upstream().poll(200)).isNull();
    assertThat(get("/pub/caf%C3%A9?q=%C3%A9").statusCode()).as("the percent-encoded form passes").isEqualTo(200);
    assertThat(upstream().next().uri()).isEqualTo("/caf%C3%A9?q=%C3%A9");
  }

  /**
   * HTTP/1.0 has no chunked encoding: a streamed response is read whole, within the exchange's share
   * of the response buffers (1 MiB here), and sent with its length, as nginx's buffering does; a
   * larger one would be held whole in memory to measure it, and is refused. Integrations stream small
   * answers too (a redirect, an error, a marshalled body): each was a 505 to nginx's default proxy_pass.
   */
  @Test
  void anHttp10ClientGetsSizedAndSmallStreamedResponsesAndA505ForALargeStream() throws Exception {
    RawHttp.Response sized = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.0\r\nHost: gw\r\n\r\n");
    assertThat(sized.status()).isEqualTo(200);
    assertThat(sized.body()).isEqualTo("upstream /x");
    RawHttp.Response small = RawHttp.send(gateway.getPort(), "GET /pub/gaps?ms=100 HTTP/1.0\r\nHost: gw\r\n\r\n");
    assertThat(small.status()).isEqualTo(200);
    assertThat(small.header("Content-Length")).isEqualTo("12");
    assertThat(small.header("Transfer-Encoding")).isNull();
    assertThat(small.body()).isEqualTo("first second");
    RawHttp.Response streamed = RawHttp.send(gateway.getPort(), "GET /pub/big HTTP/1.0\r\nHost: gw\r\n\r\n");
    assertThat(streamed.status()).isEqualTo(505);
    assertThat(streamed.body()).contains("use HTTP/1.1");
    assertThat(get("/pub/big").statusCode()).as("HTTP/1.1 gets it, streamed").isEqualTo(200);
    // responses that never have a body have no length either, and are no stream
    RawHttp.Response none = RawHttp.send(gateway.getPort(), "DELETE /pub/answer-status?status=204 HTTP/1.0\r\nHost: gw\r\n\r\n");
    assertThat(none.status()).as("a 204").isEqualTo(204);
    RawHttp.Response head = RawHttp.send(gateway.getPort(), "HEAD /pub/big HTTP/1.0\r\nHost: gw\r\n\r\n");
    assertThat(head.status()).as("HEAD of a streamed response").isEqualTo(200);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (proxy.bufferedResponseBytes() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(proxy.bufferedResponseBytes()).as("what was read whole is given back").isZero();
  }

  @Test
  void hostIsRequiredOnceAndMatchedWithoutItsTrailingDot() throws Exception {
    RawHttp.Response missing = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.0\r\n\r\n");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body()).contains("Host");
    RawHttp.Response twice = RawHttp.send(gateway.getPort(), "GET /pub/x HTTP/1.1\r\nHost: gw\r\nHost: gw\r\n\r\n");
    assertThat(twice.status()).isEqualTo(400);
    assertThat(twice.body()).contains("Host");
    assertThat(upstream().poll(200)).isNull();
    RawHttp.send(gateway.getPort(), "GET /orders/1 HTTP/1.1\r\nHost: API.example.com.\r\n\r\n");
    assertThat(upstream().next().headers().get("X-Outpost-Route")).isEqualTo("hosted");
  }

  @Test
  void aFragmentIsNeverForwarded() throws Exception {
    assertThat(RawHttp.send(gateway.getPort(), "GET /pub/x?a=1#frag HTTP/1.1\r\nHost: gw\r\n\r\n").status()).isEqualTo(200);
    assertThat(upstream().next().uri()).isEqualTo("/x?a=1");
    assertThat(RawHttp.send(gateway.getPort(), "GET /pub/y#frag?b=2 HTTP/1.1\r\nHost: gw\r\n\r\n").status()).isEqualTo(200);
    assertThat(upstream().next().uri()).isEqualTo("/y");
  }

  @Test
  void requestsVertxWebRefusesBeforeRoutingGetAClear4xx() throws Exception {
    String[][] cases = {
        {"OPTIONS * HTTP/1.1\r\nHost: gw\r\n\r\n", "origin-form"},
        {"GET /pub/x HTTP/1.1\r\nHost: gw:abc\r\n\r\n", "Host"},
        {"GET /pub/x HTTP/1.1\r\nHost: a b\r\n\r\n", "Host"},
        {"GET /pub/x HTTP/1.1\r\n\r\n", "Host"},
    };
    for (String[] c : cases) {
      RawHttp.Response response = RawHttp.send(gateway.getPort(), c[0]);
      assertThat(response.status()).as(c[0]).isEqualTo(400);
      assertThat(response.body()).as(c[0]).contains(c[1]).doesNotContain("could not handle");
    }
    assertThat(upstream().poll(200)).isNull();
  }
}
