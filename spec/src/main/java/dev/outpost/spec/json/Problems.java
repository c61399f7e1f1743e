package dev.outpost.spec.json;

import dev.outpost.spec.state.Violation;
import java.util.ArrayList;
import java.util.List;

/** Collects every {@link Violation} found while reading or validating one document, in order. Not thread-safe. */
public final class Problems {
  private final List<Violation> violations = new ArrayList<>();

  public void add(String path, String message) {
    violations.add(new Violation(path, message));
  }

  /** Whether a problem was already reported at exactly {@code path}. */
  public boolean hasAt(String path) {
    return violations.stream().anyMatch(v -> v.path().equals(path));
  }

  public boolean isEmpty() {
    return violations.isEmpty();
  }

  public List<Violation> all() {
    return List.copyOf(violations);
  }

  /** The path of field {@code name} inside {@code parent}: {@code routes[2].match}. */
  public static String field(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }

  /** The path of element {@code index} of the list at {@code parent}: {@code routes[2]}. */
  public static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
