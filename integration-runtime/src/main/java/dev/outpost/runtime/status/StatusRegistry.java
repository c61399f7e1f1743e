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

  /**
   * Sets {@code name}'s status to {@code next} (none, when null) if it is still {@code expected}, the
   * very status given (none, when null): a status said for a while (a file waiting for its turn) is
   * taken back only while nothing else has been said since.
   *
   * @return whether it was still {@code expected}
   */
  public boolean replace(String name, IntegrationStatus expected, IntegrationStatus next) {
    boolean[] replaced = {false};
    byName.compute(name, (key, current) -> {
      if (current != expected) {
        return current;
      }
      replaced[0] = true;
      return next;
    });
    return replaced[0];
  }

  public Optional<IntegrationStatus> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Every status, sorted by name. */
  public List<IntegrationStatus> all() {
    return byName.values().stream().sorted(Comparator.comparing(IntegrationStatus::name)).toList();
  }
}
