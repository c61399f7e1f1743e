package dev.outpost.spec.protocol;

/**
 * Control plane → agent: the status with this {@code seq} was received, so the agent need not
 * resend it after a reconnect.
 */
public record StatusAck(long seq) implements ProtocolMessage {
  public static final String TYPE = "statusAck";

  @Override
  public String type() {
    return TYPE;
  }
}
