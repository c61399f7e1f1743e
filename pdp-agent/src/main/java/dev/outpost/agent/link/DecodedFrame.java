package dev.outpost.agent.link;

import dev.outpost.spec.protocol.MalformedFrameException;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;
import dev.outpost.spec.protocol.Snapshot;

/**
 * One frame from the control plane, decoded: its message, or why it is malformed and what it claims
 * to be. Decoding parses the whole frame, which may take a second for one of 16 MiB.
 *
 * @param message the message; null when malformed
 * @param problem why it is malformed; null when it is not
 * @param claim what a malformed frame claims to be; {@link SnapshotClaim#NONE} for one that decoded
 */
record DecodedFrame(ProtocolMessage message, MalformedFrameException problem, SnapshotClaim claim) {

  static DecodedFrame of(String frame) {
    try {
      return new DecodedFrame(ProtocolCodec.decode(frame), null, SnapshotClaim.NONE);
    } catch (MalformedFrameException e) {
      return new DecodedFrame(null, e, SnapshotClaim.of(frame));
    }
  }

  /** Whether the applier answers it: a snapshot, or a malformed frame claiming to be one (it may get a nack). */
  boolean forApplier() {
    return message instanceof Snapshot || claim.snapshot();
  }

  /** The snapshot's revision, or the one a malformed snapshot claims; 0 when none is known. */
  long revision() {
    return message instanceof Snapshot snapshot ? snapshot.revision() : claim.revision();
  }
}
