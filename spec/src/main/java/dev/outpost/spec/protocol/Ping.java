package dev.outpost.spec.protocol;

/** Either direction: are you there? The receiver answers {@link Pong} with the same nonce. */
public record Ping(String nonce) implements ProtocolMessage {
  public static final String TYPE = "ping";

  @Override
  public String type() {
    return TYPE;
  }
}
