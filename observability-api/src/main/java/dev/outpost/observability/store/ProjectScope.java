package dev.outpost.observability.store;

import java.util.Set;

/**
 * The projects a query may read. Every read of a {@link LogStore} or {@link TraceStore} takes one
 * and the store restricts the query to it, whatever else the query says. Never empty.
 */
public record ProjectScope(Set<String> projects) {

  public ProjectScope {
    if (projects == null || projects.isEmpty()) {
      throw new IllegalArgumentException("a project scope needs at least one project");
    }
    projects = Set.copyOf(projects);
  }

  public boolean allows(String project) {
    return projects.contains(project);
  }
}
