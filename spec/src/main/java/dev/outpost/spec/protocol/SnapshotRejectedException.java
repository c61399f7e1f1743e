package dev.outpost.spec.protocol;

import dev.outpost.spec.state.Violation;
import java.util.List;
import java.util.stream.Collectors;

/** A snapshot the agent must not apply; {@link #toNack()} is the reply that says why. */
public class SnapshotRejectedException extends Exception {
  private final long revision;
  private final List<Violation> errors;

  public SnapshotRejectedException(long revision, List<Violation> errors) {
    super("snapshot " + revision + " rejected: "
        + errors.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    this.revision = revision;
    this.errors = List.copyOf(errors);
  }

  public long revision() {
    return revision;
  }

  public List<Violation> errors() {
    return errors;
  }

  public Nack toNack() {
    return new Nack(revision, errors);
  }
}
