package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LoopbackUpstream.Received;
import dev.outpost.gateway.support.RawHttp;
import dev.outpost.gateway.support.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The request-smuggling and path-confusion corpus, one table over raw sockets. Each request is
 * either refused or forwarded unambiguously: the statuses allowed, and a check on everything the
 * upstream received for it (never a smuggled request, never a JWT route reached without a token,
 * never a client-chosen identity or forwarding header).
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class ProxyCorpusTest {

  /** One request: its raw bytes, the statuses allowed, and what must hold for every request the upstream saw. */
  record Case(String name, String request, Set<Integer> statuses, Predicate<List<Received>> upstreamSaw) {}

  private static final Predicate<List<Received>> NOTHING = List::isEmpty;
  private static final Predicate<List<Received>> NO_JWT_ROUTE_NO_SMUGGLING = list -> list.stream().noneMatch(r ->
      r.uri().contains("smuggled") || "jwt".equals(r.headers().get("X-Outpost-Route")));

  @TestHTTPResource("/")
  URL gateway;

  static List<Case> corpus() {
    String token = Tokens.valid("alice", null);
    List<Case> c = new ArrayList<>();
    // the HTTP codec drops Content-Length when chunked is present (RFC 9112 6.3): forwarded as chunked
    c.add(new Case("Content-Length and Transfer-Encoding together",
        "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /jwt/smuggled HTTP/1.1\r\nHost: gw\r\n\r\n",
        Set.of(200, 400), list -> NO_JWT_ROUTE_NO_SMUGGLING.test(list) && list.stream().allMatch(r -> r.body().length() == 0
            && !r.headers().contains("Content-Length"))));
    c.add(new Case("two different Content-Lengths",
        "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\nhello", Set.of(400), NOTHING));
    c.add(new Case("two equal Content-Lengths",
        "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", Set.of(400), NOTHING));
    c.add(new Case("Content-Length list", "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 5, 5\r\n\r\nhello", Set.of(400), NOTHING));
    c.add(new Case("Content-Length not a number", "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 5a\r\n\r\nhello", Set.of(400), NOTHING));
    c.add(new Case("negative Content-Length", "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: -1\r\n\r\nhello", Set.of(400), NOTHING));
    c.add(new Case("Transfer-Encoding chunked, identity",
        "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", Set.of(400, 501), NOTHING));
    c.add(new Case("Transfer-Encoding xchunked",
        "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", Set.of(400, 501), NOTHING));
    c.add(new Case("Transfer-Encoding twice",
        "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n", Set.of(400, 501), NOTHING));
    c.add(new Case("space before the colon of Transfer-Encoding",
        "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("Transfer-Encoding with a vertical tab",
        "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n", Set.of(400, 501), NOTHING));
    c.add(new Case("chunked body hiding a second request",
        "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /jwt/smuggled HTTP/1.1\r\nHost: gw\r\n\r\n",
        Set.of(200), NO_JWT_ROUTE_NO_SMUGGLING));
    c.add(new Case("control character in a header name",
        "GET /pub/x HTTP/1.1\r\nHost: gw\r\nX-Bad\u0001Name: v\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("space in a header name", "GET /pub/x HTTP/1.1\r\nHost: gw\r\nX Bad: v\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("NUL in a header value", "GET /pub/x HTTP/1.1\r\nHost: gw\r\nX-Bad: a\u0000b\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("Connection: X-Forwarded-For",
        "GET /pub/x HTTP/1.1\r\nHost: gw\r\nConnection: X-Forwarded-For\r\nX-Forwarded-For: 10.0.0.66\r\n\r\n",
        Set.of(200), list -> list.size() == 1 && "127.0.0.1".equals(list.get(0).headers().get("X-Forwarded-For"))));
    c.add(new Case("Connection: Authorization on a JWT route",
        "GET /jwt/x HTTP/1.1\r\nHost: gw\r\nConnection: Authorization\r\nAuthorization: Bearer " + token + "\r\n\r\n",
        Set.of(200), list -> list.size() == 1 && "alice".equals(list.get(0).headers().get("X-Outpost-Subject"))));
    c.add(new Case("Connection: X-Outpost-Subject with a forged subject",
        "GET /jwt/x HTTP/1.1\r\nHost: gw\r\nConnection: X-Outpost-Subject\r\nX-Outpost-Subject: root\r\nAuthorization: Bearer " + token + "\r\n\r\n",
        Set.of(200), list -> list.size() == 1 && list.get(0).headers().getAll("X-Outpost-Subject").equals(List.of("alice"))));
    c.add(new Case("//jwt to skip a prefix check", "GET //jwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(401), NOTHING));
    c.add(new Case("/pub/../jwt", "GET /pub/../jwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(401), NOTHING));
    c.add(new Case("/pub/%2e%2e/jwt", "GET /pub/%2e%2e/jwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(401), NOTHING));
    // servlet containers drop ;parameters before resolving dot segments: ..; is .. to them
    for (String segment : List.of("..;", "..;jsessionid=1", "%2e%2e;", "%2E.;x", "..%3b", "%2e%2e%3B", ".;")) {
      c.add(new Case("/pub/" + segment + "/jwt", "GET /pub/" + segment + "/jwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    }
    c.add(new Case("/pub/..%2fjwt", "GET /pub/..%2fjwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("/pub%5c..%5cjwt", "GET /pub%5c..%5cjwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("raw backslash", "GET /pub\\..\\jwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("overlong UTF-8 dots", "GET /pub/%c0%ae%c0%ae/jwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("overlong UTF-8 slash", "GET /pub/..%c0%afjwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("encoded NUL", "GET /pub/x%00.json HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("absolute-form target to another host", "GET http://internal.test/jwt/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("Upgrade: h2c", "GET /pub/x HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
        Set.of(200), list -> list.size() == 1 && !list.get(0).headers().contains("Upgrade") && !list.get(0).headers().contains("HTTP2-Settings")));
    c.add(new Case("Upgrade: websocket is not tunnelled", "GET /pub/x HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        Set.of(200), list -> list.size() == 1 && !list.get(0).headers().contains("Upgrade")));
    c.add(new Case("hixie-76 WebSocket keys: an 8-byte body no header declares",
        "GET /pub/x HTTP/1.1\r\nHost: gw\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n"
            + "AAAAAAAA", Set.of(400), NOTHING));
    c.add(new Case("Transfer-Encoding: Chunked, capitalised", "POST /pub/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: Chunked\r\n\r\n"
        + "5\r\nhello\r\n0\r\n\r\n", Set.of(200),
        list -> list.size() == 1 && list.get(0).body().toString().equals("hello")));
    c.add(new Case("obsolete line folding", "GET /pub/x HTTP/1.1\r\nHost: gw\r\nX-Folded: a\r\n b\r\n\r\n",
        Set.of(200, 400), list -> list.size() <= 1));
    c.add(new Case("request line with a NUL", "GET /pub/x\u0000 HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("CONNECT to a path", "CONNECT /pub/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(405), NOTHING));
    c.add(new Case("CONNECT to an authority", "CONNECT internal.test:443 HTTP/1.1\r\nHost: internal.test:443\r\n\r\n",
        Set.of(405), NOTHING));
    c.add(new Case("TRACE (cross-site tracing)", "TRACE /pub/x HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(405), NOTHING));
    // raw UTF-8 bytes (written here as the Latin-1 characters of those bytes)
    c.add(new Case("raw UTF-8 in the path", "GET /pub/caf\u00c3\u00a9 HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("raw UTF-8 in the query", "GET /pub/x?q=caf\u00c3\u00a9 HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("raw Latin-1 byte in the path", "GET /pub/caf\u00e9 HTTP/1.1\r\nHost: gw\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("HTTP/1.1 without Host", "GET /pub/x HTTP/1.1\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("HTTP/1.0 without Host", "GET /pub/x HTTP/1.0\r\n\r\n", Set.of(400), NOTHING));
    // RFC 9112 6.1: faulty framing; a front end speaking 1.0 reads the body otherwise than the gateway
    c.add(new Case("HTTP/1.0 with Transfer-Encoding: chunked", "POST /pub/echo HTTP/1.0\r\nHost: gw\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", Set.of(400), NOTHING));
    // Vert.x's Host parser threw on a percent escape: never answered, the connection held open
    c.add(new Case("percent escape in Host", "GET /pub/x HTTP/1.1\r\nHost: a%41\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("percent escape in an HTTP/1.0 Host", "GET /pub/x HTTP/1.0\r\nHost: gw%2f\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("two Host headers", "GET /pub/x HTTP/1.1\r\nHost: gw\r\nHost: api.example.com\r\n\r\n", Set.of(400), NOTHING));
    c.add(new Case("fragment in the target", "GET /pub/x?a=1#frag HTTP/1.1\r\nHost: gw\r\n\r\n",
        Set.of(200, 400), list -> list.stream().noneMatch(r -> r.uri().contains("#") || r.uri().contains("frag"))));
    // CGI, WSGI and PHP read X_Outpost_Subject as X-Outpost-Subject
    Predicate<List<Received>> noUnderscoreVariant = list -> list.size() == 1
        && list.get(0).headers().names().stream().noneMatch(n -> n.contains("_"))
        && list.get(0).headers().entries().stream().noneMatch(e -> e.getValue().contains("spoof"));
    for (String header : List.of("X_Outpost_Subject", "x_outpost_scopes", "X-Outpost_Project", "X_Outpost_Issuer", "X_Forwarded_For", "X_Forwarded_Host",
        "X_Real_IP")) {
      c.add(new Case("underscore variant " + header, "GET /pub/x HTTP/1.1\r\nHost: gw\r\n" + header + ": spoof\r\n\r\n",
          Set.of(200), noUnderscoreVariant));
    }
    return c;
  }

  @Test
  void everyRequestIsRefusedOrForwardedUnambiguously() throws Exception {
    List<Case> corpus = corpus();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(20);
    List<String> wrong = new ArrayList<>();
    for (Case c : corpus) {
      GatewayTestEnvironment.upstream.clear();
      RawHttp.Response response = RawHttp.send(gateway.getPort(), c.request().getBytes(StandardCharsets.ISO_8859_1));
      Thread.sleep(50);
      List<Received> saw = new ArrayList<>();
      for (Received r = GatewayTestEnvironment.upstream.poll(0); r != null; r = GatewayTestEnvironment.upstream.poll(0)) {
        saw.add(r);
      }
      if (!c.statuses().contains(response.status()) || !c.upstreamSaw().test(saw)) {
        wrong.add(c.name() + ": status " + response.status() + " (allowed " + c.statuses() + "), upstream saw "
            + saw.stream().map(r -> r.method() + " " + r.uri() + " " + r.headers().entries()).toList());
      }
    }
    assertThat(wrong).isEmpty();
  }

  /** RFC 9112 2.3: an HTTP/1.1 server answers a later 1.x or higher version as 1.1; Vert.x echoed the client's. */
  @Test
  void aVersionAbove11IsServedAndAnsweredAs11() throws Exception {
    for (String version : List.of("HTTP/1.2", "HTTP/2.0", "HTTP/1.10")) {
      GatewayTestEnvironment.upstream.clear();
      RawHttp.Response response = RawHttp.send(gateway.getPort(), "GET /pub/x " + version + "\r\nHost: gw\r\n\r\n");
      assertThat(response.statusLine()).as(version).startsWith("HTTP/1.1 200");
      assertThat(GatewayTestEnvironment.upstream.poll(5000)).as(version).isNotNull();
    }
  }

  @Test
  void aRefusedMethodIsAnswered405NamingTheAcceptedOnes() throws Exception {
    RawHttp.Response response = RawHttp.send(gateway.getPort(), "TRACE /pub/x HTTP/1.1\r\nHost: gw\r\n\r\n");
    assertThat(response.status()).isEqualTo(405);
    assertThat(response.header("Allow")).isEqualTo("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  }
}
