package dev.outpost.observability.support;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.outpost.spec.testing.TestTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * A loopback identity provider: serves a JWKS and signs tokens like the customer's IdP would. Over
 * plain HTTP, or over TLS with a self-signed certificate for {@code localhost} (an identity provider
 * in the cluster with a private CA).
 */
public final class TestIdp implements AutoCloseable {

  public static final String ISSUER = "https://idp.test/outpost";
  public static final String AUDIENCE = "outpost";

  private final RsaJsonWebKey key;
  private final RsaJsonWebKey stranger;
  private final HttpServer server;
  private final String base;
  private volatile boolean down;

  public TestIdp() throws IOException, JoseException {
    this(null);
  }

  /** Over TLS, with the key and certificate of {@code tls} (made for {@code localhost}). */
  public static TestIdp overTls(TestTls tls) throws IOException, JoseException {
    return new TestIdp(tls);
  }

  private TestIdp(TestTls tls) throws IOException, JoseException {
    key = RsaJwkGenerator.generateJwk(2048);
    key.setKeyId("test-key");
    stranger = RsaJwkGenerator.generateJwk(2048);
    stranger.setKeyId("test-key");
    InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
    if (tls == null) {
      server = HttpServer.create(loopback, 0);
    } else {
      HttpsServer https = HttpsServer.create(loopback, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(sslContext(tls)));
      server = https;
    }
    byte[] jwks = new JsonWebKeySet(key).toJson(org.jose4j.jwk.JsonWebKey.OutputControlLevel.PUBLIC_ONLY)
        .getBytes(StandardCharsets.UTF_8);
    server.createContext("/jwks", exchange -> {
      if (down) {
        exchange.sendResponseHeaders(503, -1);
        exchange.close();
        return;
      }
      // cached for a second only, so a test sees the application's copy expire
      exchange.getResponseHeaders().add("Cache-Control", "max-age=1");
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, jwks.length);
      exchange.getResponseBody().write(jwks);
      exchange.close();
    });
    server.start();
    base = (tls == null ? "http://127.0.0.1:" : "https://localhost:") + server.getAddress().getPort();
  }

  private static SSLContext sslContext(TestTls tls) throws IOException {
    try (var in = Files.newInputStream(tls.keyStore())) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, tls.password().toCharArray());
      KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      managers.init(keys, tls.password().toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(managers.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  /** Takes the JWKS endpoint down (503) or brings it back. */
  public void down(boolean isDown) {
    down = isDown;
  }

  public String jwksUrl() {
    return base + "/jwks";
  }

  /** A valid token for {@code subject} whose {@code projects} claim lists {@code projects}. */
  public String token(String subject, List<String> projects) {
    return sign(claims(subject, Map.of("projects", projects)), key);
  }

  /** A token with the given extra claims (they replace defaults of the same name). */
  public String token(String subject, Map<String, Object> extra) {
    return sign(claims(subject, extra), key);
  }

  /** A token signed by a key the JWKS does not hold, under a {@code kid} it does not hold either. */
  public String unknownKidToken(String subject, List<String> projects) {
    try {
      RsaJsonWebKey unknown = RsaJwkGenerator.generateJwk(2048);
      unknown.setKeyId("unknown-key");
      return sign(claims(subject, Map.of("projects", projects)), unknown);
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token signed by a key the JWKS does not hold. */
  public String forgedToken(String subject, List<String> projects) {
    return sign(claims(subject, Map.of("projects", projects)), stranger);
  }

  private static JwtClaims claims(String subject, Map<String, Object> extra) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(ISSUER);
    claims.setAudience(AUDIENCE);
    claims.setSubject(subject);
    claims.setIssuedAtToNow();
    claims.setExpirationTimeMinutesInTheFuture(30);
    claims.setClaim("scope", "logs:read traces:read");
    extra.forEach(claims::setClaim);
    return claims;
  }

  private static String sign(JwtClaims claims, RsaJsonWebKey key) {
    try {
      JsonWebSignature jws = new JsonWebSignature();
      jws.setPayload(claims.toJson());
      jws.setKey(key.getPrivateKey());
      jws.setKeyIdHeaderValue(key.getKeyId());
      jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
