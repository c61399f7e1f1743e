package dev.outpost.agent.link;

import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The CAs the link trusts for {@code wss://}: the JVM's, and those of {@code control-plane.ca-file}
 * besides. Vert.x's PEM trust options trust the file's certificates instead of the JVM's, so a
 * private CA added for a TLS-inspecting proxy or a staging control plane made a control plane with
 * a public certificate unreachable.
 */
final class ControlPlaneTrust {

  private ControlPlaneTrust() {}

  static TrustOptions jvmsAnd(Path caFile) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (X509Certificate ca : jvmTrustManager().getAcceptedIssuers()) {
        store.setCertificateEntry("jvm-" + n++, ca);
      }
      Collection<? extends Certificate> extra;
      try (InputStream in = Files.newInputStream(caFile)) {
        extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (extra.isEmpty()) {
        throw new IllegalArgumentException("outpost.agent.control-plane.ca-file " + caFile + " holds no PEM certificate");
      }
      for (Certificate ca : extra) {
        store.setCertificateEntry("ca-file-" + n++, ca);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return TrustOptions.wrap(factory);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("outpost.agent.control-plane.ca-file " + caFile + " cannot be read as PEM"
          + " certificates: " + e.getMessage(), e);
    }
  }

  /** The JVM's default trust ({@code cacerts}, or {@code javax.net.ssl.trustStore} when set). */
  private static X509TrustManager jvmTrustManager() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("the JVM has no X.509 trust manager");
  }
}
