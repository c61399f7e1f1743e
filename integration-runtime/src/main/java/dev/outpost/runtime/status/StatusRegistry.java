package dev.outpost.runtime.status;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The latest status of every integration the runtime was asked to run, by name. */
@ApplicationScoped
public class StatusRegistry {

  private final Map<String, IntegrationStatus> byName = new ConcurrentHashMap<>();

  public void put(IntegrationStatus status) {
    byName.put(status.name(), status);
  }

  public void remove(String name) {
    byName.remove(name);
  }

  public Optional<IntegrationStatus> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Every status, sorted by name. */
  public List<IntegrationStatus> all() {
    return byName.values().stream().sorted(Comparator.comparing(IntegrationStatus::name)).toList();
  }
}
