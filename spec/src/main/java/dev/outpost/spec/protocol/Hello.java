package dev.outpost.spec.protocol;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Agent → control plane, the first frame on every connection.
 *
 * @param protocol the protocol version the agent speaks, {@value ProtocolMessage#VERSION}
 * @param dataPlane the data plane's id (must match the one the bearer token belongs to)
 * @param agentVersion the agent's version, for the control plane's information
 * @param lastAppliedRevision the revision running now; 0 when nothing was ever applied
 * @param capabilities optional features the agent supports (e.g. {@code kubernetes}, {@code local});
 *     unknown ones are ignored
 */
@JsonPropertyOrder({"protocol", "dataPlane", "agentVersion", "lastAppliedRevision", "capabilities"})
public record Hello(int protocol, String dataPlane, String agentVersion, long lastAppliedRevision,
    List<String> capabilities) implements ProtocolMessage {
  public static final String TYPE = "hello";

  public Hello {
    capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
