package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.TargetException;
import java.util.Map;

/**
 * Integrations a pass could not write, each with why (the object and the API server's status, never
 * an integration's data); the others were written. Its message is the first failure's.
 */
final class IntegrationsNotWritten extends TargetException {
  private final Map<String, String> reasons;

  IntegrationsNotWritten(Map<String, String> reasons, TargetException first) {
    super(first.getMessage() + (reasons.size() > 1 ? " (and " + (reasons.size() - 1) + " more integration(s))" : ""),
        first);
    this.reasons = Map.copyOf(reasons);
  }

  /** Why each integration was not written, by name. */
  Map<String, String> reasons() {
    return reasons;
  }
}
