package dev.outpost.spec.tls;

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
 * Trust in the JVM's CAs and in those of a PEM file besides: a private CA (an in-cluster identity
 * provider's, a TLS-inspecting proxy's) added without losing the public ones. Vert.x's PEM trust
 * options and jose4j's trusted certificates trust the file's certificates <em>instead</em> of the
 * JVM's, so a private CA added for one server made every server with a public certificate
 * unreachable.
 */
public final class ExtraCas {

  private ExtraCas() {}

  /**
   * @param caFile PEM certificates, one or more
   * @param setting the configuration key that named the file, for the error
   * @throws IllegalArgumentException when the file cannot be read or holds no certificate
   */
  public static TrustManagerFactory withJvms(Path caFile, String setting) {
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
        throw new IllegalArgumentException(setting + ": " + caFile + " holds no PEM certificate");
      }
      for (Certificate ca : extra) {
        store.setCertificateEntry("ca-file-" + n++, ca);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(setting + ": " + caFile + " cannot be read as PEM certificates: " + e.getMessage(), e);
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
