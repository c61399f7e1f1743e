package dev.outpost.observability.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.support.AppProcess;
import dev.outpost.observability.support.Otlp;
import dev.outpost.observability.support.TestIdp;
import dev.outpost.spec.testing.TestTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application verifies the users' tokens against an identity provider in the cluster
 * whose {@code https} JWKS has a private CA, once {@code security.jwks-ca-file} names that CA. Without
 * it the keys cannot be fetched, as the JVM's CAs do not sign that certificate: 503 (the token may be
 * good), and a warning that names the JWKS and the handshake's failure.
 */
class PrivateCaJwksIT {

  @TempDir Path data;
  @TempDir Path certificates;

  @Test
  void theCaFileMakesAnHttpsJwksWithAPrivateCaTrusted() throws Exception {
    TestTls tls = TestTls.forHost(certificates, "localhost");
    try (TestIdp idp = TestIdp.overTls(tls); AppProcess app = new AppProcess(Path.of("target", "private-ca-jwks-it.log"))) {
      Map<String, String> properties = new HashMap<>(Map.of(
          "outpost.observability.data-dir", data.toString(),
          "outpost.observability.ingest.data-plane-token", Otlp.DATA_PLANE_TOKEN,
          "mp.jwt.verify.publickey.location", idp.jwksUrl(),
          "mp.jwt.verify.issuer", TestIdp.ISSUER));
      String token = idp.token("erin", List.of("acme"));

      app.start(properties);
      assertThat(idp.jwksUrl()).startsWith("https://");
      assertThat(logsStatus(app.httpPort, token)).as("no CA file: the JWKS cannot be fetched").isEqualTo(503);
      app.stop();
      assertThat(Files.readString(app.logFile().toPath())).as("the operator is told why")
          .contains("keys cannot be fetched from " + idp.jwksUrl()).contains("SSLHandshakeException")
          .contains("TLS with the JWKS at " + idp.jwksUrl() + " failed");

      // a JWKS URL that answers a page, not a key set (the issuer's, or a login page): said at start
      com.sun.net.httpserver.HttpServer page = com.sun.net.httpserver.HttpServer.create(
          new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      page.createContext("/", exchange -> {
        byte[] html = "<html><body>Sign in</body></html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/html");
        exchange.sendResponseHeaders(200, html.length);
        exchange.getResponseBody().write(html);
        exchange.close();
      });
      page.start();
      String wrongUrl = "http://127.0.0.1:" + page.getAddress().getPort() + "/realms/acme";
      try {
        Map<String, String> wrong = new HashMap<>(properties);
        wrong.put("mp.jwt.verify.publickey.location", wrongUrl);
        app.start(wrong);
        awaitLine(app, wrongUrl + " answers no key set");
        app.stop();
      } finally {
        page.stop(0);
      }

      properties.put("outpost.observability.security.jwks-ca-file", tls.certificate().toString());
      app.start(properties);
      assertThat(logsStatus(app.httpPort, token)).as("the CA file holds the IdP's CA").isEqualTo(200);
      awaitLine(app, "the JWKS at " + idp.jwksUrl() + " holds 1 key(s)");
      assertThat(logsStatus(app.httpPort, idp.forgedToken("erin", List.of("acme")))).as("and a forged token").isEqualTo(401);
      assertThat(logsStatus(app.httpPort, idp.unknownKidToken("erin", List.of("acme"))))
          .as("a kid the key set does not hold is the token's fault").isEqualTo(401);
    }
  }

  private static void awaitLine(AppProcess app, String text) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
    while (!Files.readString(app.logFile().toPath()).contains(text) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(Files.readString(app.logFile().toPath())).contains(text);
  }

  private static int logsStatus(int port, String token) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/api/v1/logs?project=acme&limit=1"))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
