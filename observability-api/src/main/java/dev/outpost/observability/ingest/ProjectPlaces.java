package dev.outpost.observability.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-flight places each project's integration tokens hold, so that one project (a compromised
 * integration) cannot take every place of the receiver. The data plane's token is not counted: it
 * is the platform's own components'.
 */
final class ProjectPlaces {
  private final int perProject;
  private final Map<String, Integer> held = new HashMap<>();

  ProjectPlaces(int perProject) {
    this.perProject = perProject;
  }

  /** Takes a place for a request sent with {@code binding}; false when its project holds all it may. */
  synchronized boolean take(IngestBinding binding) {
    if (!binding.bindsProject()) {
      return true;
    }
    int count = held.getOrDefault(binding.project(), 0);
    if (count >= perProject) {
      return false;
    }
    held.put(binding.project(), count + 1);
    return true;
  }

  synchronized void give(IngestBinding binding) {
    if (binding.bindsProject()) {
      held.computeIfPresent(binding.project(), (p, count) -> count == 1 ? null : count - 1);
    }
  }

  int perProject() {
    return perProject;
  }
}
