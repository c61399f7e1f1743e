package dev.outpost.agent.link;

import dev.outpost.spec.protocol.MalformedFrameException;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;

/**
 * One frame from the control plane, decoded: its message, or why it is malformed. Decoding parses
 * the whole frame, which may take a second for one of 16 MiB.
 *
 * @param message the message; null when malformed
 * @param problem why it is malformed; null when it is not
 */
record DecodedFrame(ProtocolMessage message, MalformedFrameException problem) {

  static DecodedFrame of(String frame) {
    try {
      return new DecodedFrame(ProtocolCodec.decode(frame), null);
    } catch (MalformedFrameException e) {
      return new DecodedFrame(null, e);
    }
  }
}
