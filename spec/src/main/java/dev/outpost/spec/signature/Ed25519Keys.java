package dev.outpost.spec.signature;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys in the forms the spec uses: public keys as PEM ({@code PUBLIC KEY}, SPKI) or as the
 * raw 32 bytes in base64; private keys as PEM ({@code PRIVATE KEY}, PKCS#8). A key's id is the
 * first 16 hex characters of the SHA-256 of its raw 32 bytes.
 *
 * <p>Parsing methods throw {@link IllegalArgumentException} with a plain message for bad input.
 */
public final class Ed25519Keys {
  /** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key follows it. */
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final int RAW_LENGTH = 32;

  private Ed25519Keys() {}

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  public static String keyId(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw(key));
      return HexFormat.of().formatHex(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  /** The raw 32-byte public key. */
  public static byte[] raw(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (!"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())
        || encoded.length != SPKI_PREFIX.length + RAW_LENGTH) {
      throw new IllegalArgumentException("not an Ed25519 public key");
    }
    return Arrays.copyOfRange(encoded, SPKI_PREFIX.length, encoded.length);
  }

  public static String toRawBase64(PublicKey key) {
    return Base64.getEncoder().encodeToString(raw(key));
  }

  public static PublicKey fromRawBase64(String base64) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("public key is not valid base64");
    }
    if (raw.length != RAW_LENGTH) {
      throw new IllegalArgumentException("a raw Ed25519 public key has 32 bytes, found " + raw.length);
    }
    byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + RAW_LENGTH);
    System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, RAW_LENGTH);
    return publicKey(spki);
  }

  public static String toPem(PublicKey key) {
    raw(key);
    return pem("PUBLIC KEY", key.getEncoded());
  }

  public static String toPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  public static PublicKey publicKeyFromPem(String pem) {
    return publicKey(unpem(pem, "PUBLIC KEY"));
  }

  public static PrivateKey privateKeyFromPem(String pem) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(unpem(pem, "PRIVATE KEY")));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 private key (PKCS#8)");
    }
  }

  private static PublicKey publicKey(byte[] spki) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key (SPKI)");
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] unpem(String pem, String type) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("not a PEM " + type + " (expected " + begin + " ... " + end + ")");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM " + type + " is not valid base64");
    }
  }
}
