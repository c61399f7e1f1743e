package dev.outpost.observability.security;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.ObserverMethod;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.lang.JoseException;

/**
 * Fetches the JWKS once at start, off the start's path, and says what it found: the keys, or why it
 * is no key set. A URL that answers something else (the issuer's, or its discovery document's)
 * makes smallrye-jwt refuse every token as it refuses a forged one, with a 401 and no line in the
 * log; this line is the operator's only sign. Runs after {@link JwksTrust}, so it trusts what the
 * fetches for tokens trust.
 */
@Startup(JwksProbe.AFTER_TRUST)
@ApplicationScoped
public class JwksProbe {
  private static final Logger LOG = Logger.getLogger(JwksProbe.class);
  static final int AFTER_TRUST = ObserverMethod.DEFAULT_PRIORITY + 1;
  private static final int MAX_BYTES = 512 * 1024;
  private static final int TIMEOUT_MILLIS = 10_000;
  private static final long UNREACHABLE_FOR_NANOS = 120_000_000_000L;
  private static final long RETRY_MILLIS = 2_000;

  @ConfigProperty(name = "mp.jwt.verify.publickey.location")
  Optional<String> location;

  @PostConstruct
  void start() {
    location.filter(l -> l.startsWith("http://") || l.startsWith("https://")).ifPresent(url -> {
      Thread probe = new Thread(() -> probe(url), "jwks-probe");
      probe.setDaemon(true);
      probe.start();
    });
  }

  /**
   * An identity provider that does not answer yet is asked again for a while: locally the
   * development IdP starts after observability-api, and in a cluster its pod may too. What it
   * answers, when it answers, is said at once.
   */
  private static void probe(String url) {
    long deadline = System.nanoTime() + UNREACHABLE_FOR_NANOS;
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        probeOnce(url);
        return;
      } catch (SSLException e) {
        // no retry mends trust: said at once
        LOG.warnf("TLS with the JWKS at %s failed (%s): queries are answered 503 until it is trusted (the JVM's CAs and"
            + " outpost.observability.security.jwks-ca-file, the chart's observability.queryAuth.jwksCA)", url, e);
        return;
      } catch (IOException e) {
        last = e;
        try {
          Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    LOG.warnf("the JWKS at %s could not be fetched for %d s (%s): queries are answered 503 until it can", url,
        UNREACHABLE_FOR_NANOS / 1_000_000_000L, last);
  }

  private static void probeOnce(String url) throws IOException {
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
      connection.setConnectTimeout(TIMEOUT_MILLIS);
      connection.setReadTimeout(TIMEOUT_MILLIS);
      int status = connection.getResponseCode();
      if (status != 200) {
        LOG.warnf("the JWKS at %s answered HTTP %d: until it serves the keys, queries are refused", url, status);
        return;
      }
      String body;
      try (InputStream in = connection.getInputStream()) {
        body = new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
      }
      int keys = new JsonWebKeySet(body).getJsonWebKeys().size();
      if (keys == 0) {
        LOG.warnf("the JWKS at %s holds no key: every query's token is refused (401)", url);
      } else {
        LOG.infof("the JWKS at %s holds %d key(s)", url, keys);
      }
    } catch (JoseException | RuntimeException e) {
      LOG.warnf("%s answers no key set (%s): every query's token is refused (401). mp.jwt.verify.publickey.location"
          + " (OUTPOST_JWKS_URL, the chart's observability.queryAuth.jwksUrl) must be the JWKS URL, the jwks_uri of the"
          + " issuer's /.well-known/openid-configuration, not the issuer's or the discovery document's", url, e.getMessage());
    }
  }
}
