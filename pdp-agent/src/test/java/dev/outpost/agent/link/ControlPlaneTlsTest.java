package dev.outpost.agent.link;

import static dev.outpost.agent.link.TestControlPlane.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.TestStates;
import dev.outpost.spec.protocol.Hello;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.testing.LogLines;
import dev.outpost.spec.testing.TestTls;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link over TLS: the agent goes on only with a certificate it trusts (the JVM's CAs, or the
 * {@code caFile}) for the host it dialled. A refusal happens in the handshake, before the upgrade
 * request that carries the data plane's token, so the server sees no request at all.
 */
class ControlPlaneTlsTest {
  static final Duration PING = Duration.ofMillis(300);
  static final Duration LIVENESS = Duration.ofMillis(1200);
  static final SnapshotSigner SIGNER = new SnapshotSigner(Ed25519Keys.generate());
  /** Refused handshakes to see before a refusal counts as lasting: the agent dials again after each. */
  static final int ATTEMPTS = 3;

  @TempDir static Path keys;
  static TestTls tls;

  @TempDir Path home;
  Vertx vertx;
  TestControlPlane cp;

  @BeforeAll
  static void certificate() throws Exception {
    tls = TestTls.forHost(keys, "localhost");
    // dialling 127.0.0.1 is another host only while the certificate names no IP address
    assertThat(tls.x509().getSubjectAlternativeNames()).containsExactly(List.of(2, "localhost"));
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    cp = new TestControlPlane(vertx, SIGNER);
    cp.tls = tls;
    cp.start();
  }

  @AfterEach
  void stop() throws Exception {
    cp.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  /**
   * The right host: only trust is missing, a self-signed certificate being in no JVM's CAs. The
   * warning says so: it said "Failed to create SSL connection" whatever the reason, which Vert.x
   * keeps as the failure's cause, and an operator could not tell a wrong CA from a wrong host.
   */
  @Test
  void withoutTheCaFileTheCertificateIsRefusedBeforeTheTokenIsSent() throws Exception {
    assertRefused(cp.url("localhost"), Optional.empty(), "unable to find valid certification path");
  }

  /** A trusted certificate for another name: host verification, not trust alone, refuses it, and the warning says so. */
  @Test
  void withTheCaFileACertificateForAnotherHostIsRefusedBeforeTheTokenIsSent() throws Exception {
    assertRefused(cp.url("127.0.0.1"), Optional.of(tls.certificate()), "No subject alternative names matching IP address 127.0.0.1");
  }

  /** The setup itself works: the refusals above are the agent's, not a server that cannot serve. */
  @Test
  void withTheCaFileAndTheHostItNamesTheAgentConnectsAndSaysHello() throws Exception {
    try (AgentHarness agent = new AgentHarness(vertx, home, cp.url("localhost"), SIGNER.keys().getPublic(), PING,
        LIVENESS, Optional.of(tls.certificate())).start()) {
      Hello hello = cp.awaitMessage(Hello.class, h -> true);
      assertThat(hello.dataPlane()).isEqualTo(TestStates.DATA_PLANE);
      await(agent.link::connected, "the agent's side of the connection");
      assertThat(cp.requests).contains("GET /v1/connect");
      assertThat(cp.refusedUpgrades).as("upgrades without the right token").hasValue(0);
      assertThat(cp.failedHandshakes).hasValue(0);
    }
  }

  /**
   * A {@code caFile} adds to the JVM's CAs: a control plane whose certificate a JVM CA signed is
   * still trusted with a {@code caFile} of another CA (a private one for a TLS-inspecting proxy). The
   * JVM's trust store is this certificate's, for the test, as {@code javax.net.ssl.trustStore} sets it.
   */
  @Test
  void aCaFileAddsToTheJvmsCasNotInsteadOfThem(@TempDir Path other) throws Exception {
    Path unrelated = TestTls.forHost(other, "private-ca.test").certificate();
    Path jvmCas = tls.trustStore(other);
    try {
      System.setProperty("javax.net.ssl.trustStore", jvmCas.toString());
      System.setProperty("javax.net.ssl.trustStorePassword", tls.password());
      System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
      try (AgentHarness agent = new AgentHarness(vertx, home, cp.url("localhost"), SIGNER.keys().getPublic(), PING,
          LIVENESS, Optional.of(unrelated)).start()) {
        cp.awaitMessage(Hello.class, h -> true);
        await(agent.link::connected, "the agent's side of the connection");
        assertThat(cp.failedHandshakes).hasValue(0);
      }
    } finally {
      System.clearProperty("javax.net.ssl.trustStore");
      System.clearProperty("javax.net.ssl.trustStorePassword");
      System.clearProperty("javax.net.ssl.trustStoreType");
    }
  }

  private void assertRefused(String url, Optional<Path> caFile, String reason) throws Exception {
    try (LogLines log = LogLines.of(ConnectFailureLog.class);
        AgentHarness agent = new AgentHarness(vertx, home, url, SIGNER.keys().getPublic(), PING, LIVENESS, caFile)
        .start()) {
      // proof that the agent reached the server, and kept trying, each time stopping in the handshake
      await(() -> cp.failedHandshakes.get() >= ATTEMPTS, ATTEMPTS + " refused handshakes");
      assertThat(agent.link.connected()).isFalse();
      assertThat(cp.requests).as("HTTP requests, the upgrade with its Authorization header among them").isEmpty();
      assertThat(cp.connections).hasValue(0);
      assertThat(cp.received).isEmpty();
      await(() -> !log.containing(url).isEmpty(), "the agent's warning");
      assertThat(log.warnings()).filteredOn(line -> line.contains(url)).first().satisfies(line ->
          assertThat(line).contains("TLS with the control plane at " + url + " failed: " + reason));
    }
  }
}
