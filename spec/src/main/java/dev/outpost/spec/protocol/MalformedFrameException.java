package dev.outpost.spec.protocol;

import dev.outpost.spec.state.Violation;
import java.util.List;
import java.util.stream.Collectors;

/** A frame that is not a valid protocol message; carries every problem found, each with its path in the frame. */
public class MalformedFrameException extends Exception {
  private final List<Violation> violations;

  public MalformedFrameException(List<Violation> violations) {
    super("malformed frame: " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }
}
