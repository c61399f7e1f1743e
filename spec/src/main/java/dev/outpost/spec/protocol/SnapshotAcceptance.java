package dev.outpost.spec.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.signature.SignatureRejectedException;
import dev.outpost.spec.signature.SnapshotVerifier;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;
import dev.outpost.spec.state.Violation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The agent's decision on a received snapshot, in the order PROTOCOL.md gives: the signature over
 * the state tree as received, then the revision against the applied one, then the state's validity
 * and its fit with the frame and this data plane. Error paths are relative to the snapshot frame
 * ({@code signature}, {@code revision}, {@code state.routes[0].id}). Thread-safe.
 */
public final class SnapshotAcceptance {
  private final SnapshotVerifier verifier;
  private final String dataPlane;

  /**
   * @param verifier the control plane's trusted keys
   * @param dataPlane this data plane's id: a snapshot for another one is rejected
   */
  /** How a refusal for a frame whose revision is not the one its verified signature covers begins. */
  private static final String COVERS_REVISION = "covers revision ";

  public SnapshotAcceptance(SnapshotVerifier verifier, String dataPlane) {
    this.verifier = verifier;
    this.dataPlane = dataPlane;
  }

  /**
   * Returns the state to apply, or throws with every reason not to; nothing is applied either way.
   *
   * @param lastAppliedRevision the revision running now, 0 when none
   */
  public DataPlaneState accept(Snapshot snapshot, long lastAppliedRevision) throws SnapshotRejectedException {
    long revision = snapshot.revision();
    try {
      verifier.verify(snapshot.state(), snapshot.signature());
    } catch (SignatureRejectedException e) {
      throw rejected(revision, "signature", e.getMessage());
    }
    // the frame's revision is not signed: one the state does not carry was believed (and counted
    // as attempted) before the state was read
    // as a number, however written: 42.0 is the canonical 42 the signature covers
    JsonNode signedRevision = snapshot.state().path("revision");
    if (signedRevision.isNumber() && signedRevision.decimalValue().compareTo(BigDecimal.valueOf(revision)) != 0) {
      throw rejected(revision, "signature", COVERS_REVISION + signedRevision.decimalValue().stripTrailingZeros().toPlainString()
          + ", not the frame's revision " + revision);
    }
    if (revision <= lastAppliedRevision) {
      throw rejected(revision, "revision",
          "revision " + revision + " is not newer than the applied revision " + lastAppliedRevision);
    }
    List<Violation> errors = new ArrayList<>();
    DataPlaneState state = null;
    try {
      state = StateCodec.read(snapshot.state());
    } catch (InvalidStateException e) {
      e.violations().forEach(v -> errors.add(new Violation(statePath(v.path()), v.message())));
    }
    if (state != null && state.revision() != revision) {
      errors.add(new Violation("state.revision", "must equal the snapshot's revision " + revision));
    }
    if (state != null && !state.dataPlane().equals(dataPlane)) {
      errors.add(new Violation("state.dataPlane", "must be \"" + dataPlane + "\" (this data plane)"));
    }
    if (!errors.isEmpty()) {
      throw new SnapshotRejectedException(revision, errors);
    }
    return state;
  }

  /**
   * Whether {@code snapshot} is the applied one sent again (same revision, same canonical state):
   * the agent then acks it again without applying anything.
   */
  public static boolean isRedelivery(Snapshot snapshot, Snapshot applied) {
    if (applied == null || snapshot.revision() != applied.revision()) {
      return false;
    }
    try {
      return Arrays.equals(CanonicalJson.toBytes(snapshot.state()), CanonicalJson.toBytes(applied.state()));
    } catch (IllegalArgumentException notCanonical) {
      return false;
    }
  }

  /**
   * Whether {@code e} refused a snapshot whose signature verified, for its frame's revision alone:
   * then the state's revision is the one the control plane signed, and the frame's is not.
   */
  public static boolean refusedForItsUnsignedRevision(SnapshotRejectedException e) {
    return e.errors().size() == 1 && e.errors().get(0).path().equals("signature")
        && e.errors().get(0).message().startsWith(COVERS_REVISION);
  }

  private static String statePath(String path) {
    return path.isEmpty() ? "state" : "state." + path;
  }

  private static SnapshotRejectedException rejected(long revision, String path, String message) {
    return new SnapshotRejectedException(revision, List.of(new Violation(path, message)));
  }
}
