package dev.outpost.spec.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.canonical.CanonicalJson;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;

/**
 * Signs snapshot states with one Ed25519 key: for tests and the development control plane (a real
 * control plane signs in its own infrastructure). Thread-safe.
 */
public final class SnapshotSigner {
  private final KeyPair keys;
  private final String keyId;

  public SnapshotSigner(KeyPair keys) {
    this.keys = keys;
    this.keyId = Ed25519Keys.keyId(keys.getPublic());
  }

  public String keyId() {
    return keyId;
  }

  public KeyPair keys() {
    return keys;
  }

  /**
   * Signs the canonical JSON of {@code state}; throws {@link IllegalArgumentException} when the
   * tree holds a value canonical JSON cannot carry (a fraction, an integer beyond 2^53 − 1).
   */
  public SnapshotSignature sign(JsonNode state) {
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(keys.getPrivate());
      signature.update(CanonicalJson.toBytes(state));
      return new SnapshotSignature(SnapshotSignature.ALGORITHM, keyId,
          Base64.getEncoder().encodeToString(signature.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }
}
