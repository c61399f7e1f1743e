package dev.outpost.spec.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.spec.testing.TestTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtraCasTest {

  @Test
  void theFilesCertificatesAreTrustedBesidesTheJvms(@TempDir Path dir) throws Exception {
    TestTls idp = TestTls.forHost(dir, "idp.internal");
    TestTls other = TestTls.forHost(dir, "other.internal");
    // the file holds two CAs (a bundle)
    Path bundle = Files.writeString(dir.resolve("bundle.pem"),
        Files.readString(idp.certificate()) + Files.readString(other.certificate()));

    X509TrustManager trust = x509(ExtraCas.withJvms(bundle, "test.ca-file"));
    X509Certificate[] jvms = x509(jvmDefault()).getAcceptedIssuers();

    assertThat(jvms).as("this JVM has CAs of its own").isNotEmpty();
    assertThat(trust.getAcceptedIssuers()).contains(jvms).contains(idp.x509(), other.x509());
    // a server presenting either certificate is trusted; one the file does not hold is not
    trust.checkServerTrusted(new X509Certificate[] {idp.x509()}, "EC_EC");
    trust.checkServerTrusted(new X509Certificate[] {other.x509()}, "EC_EC");
    TestTls stranger = TestTls.forHost(dir, "stranger.internal");
    assertThatThrownBy(() -> trust.checkServerTrusted(new X509Certificate[] {stranger.x509()}, "EC_EC"))
        .isInstanceOf(java.security.cert.CertificateException.class);
  }

  @Test
  void aFileWithoutCertificatesIsRefusedNamingTheSettingAndTheFile(@TempDir Path dir) throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    assertThatThrownBy(() -> ExtraCas.withJvms(notPem, "outpost.gateway.jwt.ca-file"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outpost.gateway.jwt.ca-file").hasMessageContaining(notPem.toString());
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> ExtraCas.withJvms(missing, "outpost.gateway.jwt.ca-file"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outpost.gateway.jwt.ca-file").hasMessageContaining(missing.toString());
  }

  private static TrustManagerFactory jvmDefault() throws Exception {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return factory;
  }

  private static X509TrustManager x509(TrustManagerFactory factory) {
    return (X509TrustManager) Arrays.stream(factory.getTrustManagers()).filter(X509TrustManager.class::isInstance)
        .findFirst().orElseThrow();
  }
}
