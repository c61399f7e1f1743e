package dev.outpost.spec.protocol;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.signature.SnapshotSignature;
import dev.outpost.spec.signature.SnapshotSigner;

/**
 * Control plane → agent: the complete desired state at a revision, signed.
 *
 * <p>{@code state} is the state tree exactly as received, not a re-serialised model: the signature
 * covers its canonical JSON, so it must be verified on this tree ({@link SnapshotAcceptance}).
 *
 * @param revision the state's revision (equal to {@code state.revision})
 * @param state the {@code DataPlaneState} document
 * @param signature the detached Ed25519 signature; {@code null} when the frame carried none (then
 *     the snapshot is rejected)
 */
@JsonPropertyOrder({"revision", "state", "signature"})
public record Snapshot(long revision, JsonNode state, SnapshotSignature signature) implements ProtocolMessage {
  public static final String TYPE = "snapshot";

  /** A snapshot of {@code state} (a {@code DataPlaneState} tree) signed by {@code signer}. */
  public static Snapshot signed(JsonNode state, SnapshotSigner signer) {
    return new Snapshot(state.path("revision").asLong(), state, signer.sign(state));
  }

  @Override
  public String type() {
    return TYPE;
  }
}
