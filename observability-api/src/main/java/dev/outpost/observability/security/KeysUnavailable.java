package dev.outpost.observability.security;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Tells a token refused because the identity provider's keys could not be fetched from one refused
 * for itself. smallrye-jwt fails both alike, and logs the fetch's failure at DEBUG only: a JWKS behind
 * an untrusted certificate, a wrong URL or an IdP that is down gave every user 401, telling them to
 * sign in again, and the operator nothing. Like the gateway, the query API answers 503 then, and
 * warns at most once a minute with the cause.
 */
public final class KeysUnavailable {
  private static final Logger LOG = Logger.getLogger(KeysUnavailable.class);
  private static final long WARN_EVERY_NANOS = 60_000_000_000L;
  private static final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

  private KeysUnavailable() {}

  /**
   * Why no key could be had, behind an authentication failure, or null when the token itself was
   * refused: an I/O failure, or the cause smallrye-jwt gives a key set it failed to load
   * (unreachable, TLS, an answer other than 200). A key it could not find has no cause, whether the
   * token's {@code kid} is unknown or the URL answered no key set at all: a 401, as smallrye-jwt
   * tells those apart only by its message.
   */
  public static Throwable cause(Throwable failure) {
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof IOException) {
        return t;
      }
      if (t instanceof UnresolvableKeyException && t.getCause() != null) {
        return t.getCause();
      }
    }
    return null;
  }

  /** Warns that the keys cannot be fetched, naming the JWKS and why, at most once a minute. */
  public static void warn(Throwable cause) {
    long last = lastWarned.get();
    long now = System.nanoTime();
    if (now - last >= WARN_EVERY_NANOS && lastWarned.compareAndSet(last, now)) {
      String location = ConfigProvider.getConfig().getOptionalValue("mp.jwt.verify.publickey.location", String.class)
          .orElse("(mp.jwt.verify.publickey.location unset)");
      LOG.warnf("the identity provider's keys cannot be fetched from %s: %s; queries are answered 503 until they can"
          + " (an https JWKS is trusted by the JVM's CAs and outpost.observability.security.jwks-ca-file)", location, cause);
    }
  }
}
