package dev.outpost.controlplane.idp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.controlplane.ControlPlaneConfig;
import dev.outpost.controlplane.keys.KeyFiles;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The development IdP: RS256 JWTs with {@code sub}, {@code scope} (space separated), {@code
 * projects} (array) and {@code aud}, signed with an RSA key kept in the data directory and
 * published as a JWKS. For local runs and tests only.
 */
@Singleton
@Startup
public class DevIdentityProvider {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ControlPlaneConfig.Idp config;
  private final KeyPair keys;
  private final String keyId;
  private final Clock clock = Clock.systemUTC();

  public DevIdentityProvider(ControlPlaneConfig config) throws IOException, GeneralSecurityException {
    this.config = config.idp();
    this.keys = KeyFiles.loadOrGenerate(config.dataDir(), "idp-rsa", "RSA", 2048);
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(keys.getPublic().getEncoded());
    this.keyId = HexFormat.of().formatHex(digest, 0, 8);
  }

  /** The JWKS document served at {@code /idp/jwks}. */
  public ObjectNode jwks() {
    RSAPublicKey publicKey = (RSAPublicKey) keys.getPublic();
    ObjectNode jwks = JSON.createObjectNode();
    jwks.putArray("keys").addObject()
        .put("kty", "RSA")
        .put("kid", keyId)
        .put("use", "sig")
        .put("alg", "RS256")
        .put("n", B64URL.encodeToString(unsigned(publicKey.getModulus())))
        .put("e", B64URL.encodeToString(unsigned(publicKey.getPublicExponent())));
    return jwks;
  }

  /**
   * Issues a signed token.
   *
   * @param ttlSeconds lifetime; 0 means the configured default
   */
  public IssuedToken issue(String subject, String scope, List<String> projects, long ttlSeconds) {
    long ttl = ttlSeconds > 0 ? ttlSeconds : config.tokenTtl().toSeconds();
    Instant now = clock.instant();
    ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT").put("kid", keyId);
    ObjectNode claims = JSON.createObjectNode()
        .put("iss", config.issuer())
        .put("sub", subject)
        .put("aud", config.audience())
        .put("iat", now.getEpochSecond())
        .put("nbf", now.getEpochSecond())
        .put("exp", now.getEpochSecond() + ttl)
        .put("jti", UUID.randomUUID().toString())
        .put("scope", scope);
    ArrayNode projectClaim = claims.putArray("projects");
    projects.forEach(projectClaim::add);
    String signingInput = encode(header) + "." + encode(claims);
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(keys.getPrivate());
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return new IssuedToken(signingInput + "." + B64URL.encodeToString(rsa.sign()), ttl);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RS256 signing failed", e);
    }
  }

  public String issuer() {
    return config.issuer();
  }

  public long maxTtlSeconds() {
    return config.maxTokenTtl().toSeconds();
  }

  private static String encode(ObjectNode node) {
    return B64URL.encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  /** A token and how long it lives. */
  public record IssuedToken(String token, long expiresInSeconds) {}
}
