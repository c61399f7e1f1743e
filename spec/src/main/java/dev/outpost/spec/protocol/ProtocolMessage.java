package dev.outpost.spec.protocol;

/**
 * One message of the control-plane protocol v1 (see {@code spec/PROTOCOL.md}): a JSON text frame
 * whose {@code type} field names the kind. Encode and decode with {@link ProtocolCodec}.
 */
public sealed interface ProtocolMessage permits Hello, Snapshot, Ack, Nack, Status, StatusAck, Ping, Pong {

  /** The protocol version this library speaks. */
  int VERSION = 1;

  /** The value of the frame's {@code type} field. */
  String type();
}
