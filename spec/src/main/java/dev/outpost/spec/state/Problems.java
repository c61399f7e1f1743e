package dev.outpost.spec.state;

import java.util.ArrayList;
import java.util.List;

/** Collects every {@link Violation} found while reading or validating one document. */
final class Problems {
  private final List<Violation> violations = new ArrayList<>();

  void add(String path, String message) {
    violations.add(new Violation(path, message));
  }

  boolean isEmpty() {
    return violations.isEmpty();
  }

  List<Violation> all() {
    return List.copyOf(violations);
  }

  /** The path of field {@code name} inside {@code parent}: {@code routes[2].match}. */
  static String field(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }

  /** The path of element {@code index} of the list at {@code parent}: {@code routes[2]}. */
  static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
