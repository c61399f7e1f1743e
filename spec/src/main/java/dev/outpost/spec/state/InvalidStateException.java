package dev.outpost.spec.state;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a document is not a valid {@code DataPlaneState}; carries every problem found. */
public class InvalidStateException extends Exception {
  private final List<Violation> violations;

  public InvalidStateException(List<Violation> violations) {
    super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }
}
