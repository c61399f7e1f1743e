package dev.outpost.spec.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for a test server over TLS on loopback, made by the JDK's keytool:
 * Vert.x's {@code SelfSignedCertificate} needs BouncyCastle (not on this classpath) or
 * {@code sun.security.x509}, which Java 17 does not export. The certificate names its host as a DNS
 * name only, no IP address.
 *
 * @param keyStore PKCS#12 with the key and the certificate, for the server
 * @param password the key store's
 * @param certificate the certificate alone, PEM: what a {@code ca-file} setting names
 */
public record TestTls(Path keyStore, String password, Path certificate) {

  /** A key and certificate for {@code host}, written under {@code dir}. */
  public static TestTls forHost(Path dir, String host) throws IOException, InterruptedException {
    Path keyStore = dir.resolve(host + ".p12");
    Path certificate = dir.resolve(host + ".pem");
    String password = "test-password";
    keytool("-genkeypair", "-alias", "control-plane", "-keyalg", "EC", "-dname", "CN=" + host,
        "-ext", "SAN=dns:" + host, "-validity", "2",
        "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", password);
    keytool("-exportcert", "-rfc", "-alias", "control-plane",
        "-keystore", keyStore.toString(), "-storepass", password, "-file", certificate.toString());
    return new TestTls(keyStore, password, certificate);
  }

  /** A PKCS#12 trust store holding the certificate as trusted, a stand-in for a JVM's CAs; its password is {@link #password}. */
  public Path trustStore(Path dir) throws IOException, InterruptedException {
    Path store = dir.resolve(certificate.getFileName() + ".truststore.p12");
    keytool("-importcert", "-noprompt", "-alias", "trusted-ca", "-file", certificate.toString(),
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", password);
    return store;
  }

  public X509Certificate x509() throws IOException, CertificateException {
    try (InputStream in = Files.newInputStream(certificate)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close(); // a prompt reads end of input and fails rather than waits
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
    }
  }
}
