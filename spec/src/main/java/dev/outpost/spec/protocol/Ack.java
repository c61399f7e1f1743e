package dev.outpost.spec.protocol;

/**
 * Agent → control plane: the snapshot at {@code revision} is applied (and any earlier one is
 * superseded).
 */
public record Ack(long revision) implements ProtocolMessage {
  public static final String TYPE = "ack";

  @Override
  public String type() {
    return TYPE;
  }
}
