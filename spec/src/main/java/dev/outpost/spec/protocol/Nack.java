package dev.outpost.spec.protocol;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.outpost.spec.state.Violation;
import java.util.List;

/**
 * Agent → control plane: the snapshot at {@code revision} was rejected; the data plane runs what it ran
 * before, or the message says what it could not put back (PROTOCOL.md § 3.4).
 *
 * @param revision the rejected snapshot's revision; 0 when the frame's revision could not be read
 * @param errors every reason, each with a path relative to the snapshot frame ({@code signature},
 *     {@code revision}, {@code state.routes[2].match.pathPrefix}) and a plain message; never empty
 */
@JsonPropertyOrder({"revision", "errors"})
public record Nack(long revision, List<Violation> errors) implements ProtocolMessage {
  public static final String TYPE = "nack";

  public Nack {
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
