package dev.outpost.spec.json;

import dev.outpost.spec.state.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the {@link Violation}s found while reading or validating one document, in order: the
 * first {@link #MAX_KEPT}, then only how many more. A 16 MiB frame of millions of bad elements made
 * millions of them, and a message joining them all, which no agent heap could hold. Not
 * thread-safe.
 */
public final class Problems {
  /** Problems kept with their path and message; enough to fix a document, and to list in a nack. */
  public static final int MAX_KEPT = 1000;
  private static final String MORE = " more problems not listed";

  private final List<Violation> violations = new ArrayList<>();
  private final Set<String> paths = new HashSet<>();
  private long omitted;
  private boolean elementsDropped;

  /** Notes that a list was read without an element that could not be read: later indices moved. */
  public void elementDropped() {
    elementsDropped = true;
  }

  /**
   * Whether a list lost an unreadable element, so that an index in the record read is not the
   * document's: rules checking that record would name the wrong elements.
   */
  public boolean elementsDropped() {
    return elementsDropped;
  }

  public void add(String path, String message) {
    if (violations.size() < MAX_KEPT) {
      violations.add(new Violation(path, message));
      paths.add(path);
    } else {
      omitted++;
    }
  }

  /** Adds {@code found}, counting a summary at their end ({@link #all}) as the problems it stands for. */
  public void addAll(List<Violation> found) {
    for (Violation v : found) {
      long more = summarised(v);
      if (more > 0) {
        omitted += more;
      } else {
        add(v.path(), v.message());
      }
    }
  }

  /** Whether a problem was already reported at exactly {@code path}. */
  public boolean hasAt(String path) {
    return paths.contains(path);
  }

  public boolean isEmpty() {
    return violations.isEmpty();
  }

  /** The problems kept, and last, when there were more, one at path {@code ""} saying how many. */
  public List<Violation> all() {
    if (omitted == 0) {
      return List.copyOf(violations);
    }
    List<Violation> all = new ArrayList<>(violations);
    all.add(new Violation("", omitted + MORE));
    return List.copyOf(all);
  }

  /**
   * {@code problems} cut to their first {@code max}, and one saying how many more there were
   * (counting those a summary at their end stood for).
   */
  public static List<Violation> firstOf(int max, List<Violation> problems) {
    if (problems.size() <= max) {
      return problems;
    }
    long more = problems.size() - max;
    long summarised = summarised(problems.get(problems.size() - 1));
    if (summarised > 0) {
      more += summarised - 1;
    }
    List<Violation> listed = new ArrayList<>(problems.subList(0, max));
    listed.add(new Violation("", more + MORE));
    return List.copyOf(listed);
  }

  /** The path of field {@code name} inside {@code parent}: {@code routes[2].match}. */
  public static String field(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }

  /** The path of element {@code index} of the list at {@code parent}: {@code routes[2]}. */
  public static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }

  /**
   * How many problems {@code v} stands for when it is the summary {@link #all} ends with (its path
   * perhaps prefixed since: {@code state} in a snapshot's nack); 0 for a problem of its own.
   */
  private static long summarised(Violation v) {
    if (!v.message().endsWith(MORE)) {
      return 0;
    }
    try {
      return Long.parseLong(v.message().substring(0, v.message().length() - MORE.length()));
    } catch (NumberFormatException notASummary) {
      return 0;
    }
  }
}
