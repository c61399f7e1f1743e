package dev.outpost.observability.security;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.spec.tls.ExtraCas;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * The CAs the query API's JWKS fetches trust: the JVM's, and those of
 * {@code security.jwks-ca-file} besides. smallrye-jwt fetches the JWKS with jose4j over
 * {@link HttpsURLConnection}, whose default socket factory is set here (nothing else in this
 * component calls out over HTTPS). Its own {@code smallrye.jwt.client.tls.certificate.path} is not
 * used: it trusts one certificate instead of the JVM's CAs, so a public identity provider would
 * stop verifying.
 */
@Startup
@ApplicationScoped
public class JwksTrust {

  @Inject ObservabilityConfig config;

  @PostConstruct
  void install() {
    config.security().jwksCaFile().ifPresent(JwksTrust::trust);
  }

  private static void trust(Path caFile) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, ExtraCas.withJvms(caFile, "outpost.observability.security.jwks-ca-file").getTrustManagers(), null);
      HttpsURLConnection.setDefaultSSLSocketFactory(context.getSocketFactory());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS context for the JWKS fetches: " + e.getMessage(), e);
    }
  }
}
