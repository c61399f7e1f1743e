package dev.outpost.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.testing.TestTls;
import dev.outpost.spec.testing.LogLines;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the agent cannot connect reaches the log at a level alerts see: a refused token at ERROR, an
 * untrusted certificate at WARN, and a control plane away for three attempts in a row at WARN. Each
 * was one INFO line, "unreachable". Real connections on loopback: a server that refuses the
 * upgrade, one whose certificate the agent does not trust, and a port nobody listens on. Lines are
 * told apart by each test's address: another agent in this JVM (HealthTest's) logs here too.
 */
class ConnectFailureLogTest {
  private final Vertx vertx = Vertx.vertx();
  private final ConnectFailureLog failures = new ConnectFailureLog();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Throwable connect(String url) throws Exception {
    return vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions().setVerifyHost(true))
        .connect(new io.vertx.core.http.WebSocketConnectOptions().setAbsoluteURI(url))
        .toCompletionStage().toCompletableFuture().handle((ws, e) -> e).get(10, TimeUnit.SECONDS);
  }

  private HttpServer listen(HttpServerOptions options, int status, String body) throws Exception {
    return vertx.createHttpServer(options).requestHandler(r -> r.response().setStatusCode(status).end(body))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRefusedTokenIsAnErrorNamingTheTokensSettings() throws Exception {
    HttpServer refusing = listen(new HttpServerOptions(), 401, "token revoked\r\nat 12:00");
    URI url = URI.create("ws://127.0.0.1:" + refusing.actualPort() + "/v1/connect");
    try (LogLines log = LogLines.of(ConnectFailureLog.class)) {
      failures.failed(url, connect(url.toString()));
      assertThat(log.errors()).filteredOn(line -> line.contains(url.toString())).singleElement().satisfies(line -> assertThat(line)
          .contains("refused this agent's token (HTTP 401: token revoked  at 12:00)")
          .contains("outpost.agent.control-plane.token"));
    }
  }

  @Test
  void aCertificateTheAgentDoesNotTrustIsAWarningNamingTheCaFile(@TempDir Path dir) throws Exception {
    TestTls tls = TestTls.forHost(dir, "localhost");
    HttpServer untrusted = listen(new HttpServerOptions().setSsl(true)
        .setKeyCertOptions(new PfxOptions().setPath(tls.keyStore().toString()).setPassword(tls.password())), 200, "");
    URI url = URI.create("wss://localhost:" + untrusted.actualPort() + "/v1/connect");
    try (LogLines log = LogLines.of(ConnectFailureLog.class)) {
      failures.failed(url, connect(url.toString()));
      assertThat(log.errors()).filteredOn(line -> line.contains(url.toString())).isEmpty();
      assertThat(log.containing(url.toString())).singleElement().satisfies(line -> assertThat(line).contains("TLS with the control plane")
          .contains("outpost.agent.control-plane.ca-file"));
    }
  }

  @Test
  void aControlPlaneAwayIsAWarningFromTheThirdAttemptInARow() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    URI url = URI.create("ws://127.0.0.1:" + closed + "/v1/connect");
    Throwable refused = connect(url.toString());
    try (LogLines log = LogLines.of(ConnectFailureLog.class)) {
      failures.failed(url, refused);
      failures.failed(url, refused);
      assertThat(log.containing(url.toString())).as("a restart of the control plane is no news").isEmpty();
      failures.failed(url, refused);
      assertThat(log.containing(url.toString())).singleElement().satisfies(line -> assertThat(line).contains("unreachable for 3 attempts"));
      for (int i = 0; i < 9; i++) {
        failures.failed(url, refused);
      }
      assertThat(log.containing(url.toString())).hasSize(1);
      failures.failed(url, refused);
      assertThat(log.containing(url.toString())).as("then every tenth").hasSize(2);

      failures.connected();
      failures.failed(url, refused);
      assertThat(log.containing(url.toString())).as("counted again from a connection").hasSize(2);
    }
  }
}
