package dev.outpost.spec.state;

/**
 * One problem found in a document: where it is and what was expected.
 *
 * @param path a JSON-path-like location, e.g. {@code routes[2].match.pathPrefix}; empty for the
 *     document itself
 * @param message a plain sentence, e.g. {@code must start with "/"}
 */
public record Violation(String path, String message) {
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
