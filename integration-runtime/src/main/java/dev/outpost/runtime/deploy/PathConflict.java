package dev.outpost.runtime.deploy;

import java.util.Optional;

/**
 * A version cannot be deployed because another integration serves one of its HTTP paths: unlike its
 * other failures, this one goes away when that integration is removed or changes (the agent renames
 * an integration by writing the new one's file before it removes the old one's).
 */
final class PathConflict extends DeployException {

  private final String owner;

  PathConflict(String message, String owner) {
    super(message);
    this.owner = owner;
  }

  /** The integration that serves the path. */
  String owner() {
    return owner;
  }

  /** The conflict that made {@code failure}, thrown wherever in Camel's load, if that is what it was. */
  static Optional<PathConflict> in(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PathConflict conflict) {
        return Optional.of(conflict);
      }
    }
    return Optional.empty();
  }
}
