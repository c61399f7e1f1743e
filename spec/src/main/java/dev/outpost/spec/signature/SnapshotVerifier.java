package dev.outpost.spec.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.json.Quoted;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies snapshot signatures for the agent against the control plane's trusted public keys
 * (several, so that keys can be rotated). Verify the state tree exactly as received, never a
 * re-serialised model: the signature covers that tree's canonical JSON. Thread-safe.
 */
public final class SnapshotVerifier {
  private final Map<String, PublicKey> trusted = new HashMap<>();

  public SnapshotVerifier(Collection<PublicKey> trustedKeys) {
    if (trustedKeys.isEmpty()) {
      throw new IllegalArgumentException("at least one trusted public key is required");
    }
    trustedKeys.forEach(key -> trusted.put(Ed25519Keys.keyId(key), key));
  }

  public SnapshotVerifier(PublicKey trustedKey) {
    this(List.of(trustedKey));
  }

  /**
   * Returns normally when {@code signature} is a valid Ed25519 signature by a trusted key over the
   * canonical JSON of {@code state}; otherwise throws {@link SignatureRejectedException} saying why
   * (missing, unsupported algorithm, unknown key, malformed value, not canonicalisable, mismatch),
   * quoting what the sender wrote by its first characters only.
   */
  public void verify(JsonNode state, SnapshotSignature signature) throws SignatureRejectedException {
    if (signature == null) {
      throw new SignatureRejectedException("snapshot is not signed");
    }
    if (!SnapshotSignature.ALGORITHM.equals(signature.algorithm())) {
      throw new SignatureRejectedException("unsupported signature algorithm " + Quoted.of(signature.algorithm())
          + "; only " + SnapshotSignature.ALGORITHM + " is accepted");
    }
    PublicKey key = trusted.get(signature.keyId());
    if (key == null) {
      throw new SignatureRejectedException("signed by unknown key " + Quoted.of(signature.keyId()) + "; trusted keys: "
          + String.join(", ", trusted.keySet()));
    }
    byte[] value;
    try {
      value = Base64.getDecoder().decode(signature.value());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new SignatureRejectedException("signature value is not valid base64");
    }
    byte[] canonical;
    try {
      canonical = CanonicalJson.toBytes(state);
    } catch (IllegalArgumentException e) {
      throw new SignatureRejectedException("state cannot be canonicalised: " + e.getMessage());
    }
    if (!matches(key, canonical, value)) {
      throw new SignatureRejectedException("signature does not match the state (key " + signature.keyId() + ")");
    }
  }

  private static boolean matches(PublicKey key, byte[] canonical, byte[] value) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(canonical);
      return verifier.verify(value);
    } catch (java.security.SignatureException malformed) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 verification unavailable", e);
    }
  }
}
