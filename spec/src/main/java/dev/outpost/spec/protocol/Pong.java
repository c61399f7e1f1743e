package dev.outpost.spec.protocol;

/** Either direction: the answer to a {@link Ping}, carrying its nonce. */
public record Pong(String nonce) implements ProtocolMessage {
  public static final String TYPE = "pong";

  @Override
  public String type() {
    return TYPE;
  }
}
