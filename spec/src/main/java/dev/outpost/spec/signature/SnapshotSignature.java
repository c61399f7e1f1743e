package dev.outpost.spec.signature;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A detached signature over the canonical JSON ({@link dev.outpost.spec.canonical.CanonicalJson})
 * of a snapshot's state.
 *
 * @param algorithm always {@value #ALGORITHM}
 * @param keyId which key signed: {@link Ed25519Keys#keyId}
 * @param value the 64-byte Ed25519 signature, standard base64 with padding
 */
@JsonPropertyOrder({"algorithm", "keyId", "value"})
public record SnapshotSignature(String algorithm, String keyId, String value) {
  public static final String ALGORITHM = "Ed25519";
}
