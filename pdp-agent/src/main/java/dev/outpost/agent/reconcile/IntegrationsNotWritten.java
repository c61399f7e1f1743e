package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.Integration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Integrations a pass could not write, each with why (the object and the API server's status, never
 * an integration's data), and those it stopped before trying; the others were written. Its message
 * is the first failure's; its cause that failure, so that whether it may pass is that failure's.
 */
final class IntegrationsNotWritten extends TargetException {
  private final Map<String, String> reasons;
  private final Set<String> notTried;

  /** @param notTried the integrations after the one that stopped the pass */
  IntegrationsNotWritten(Map<String, String> reasons, List<Integration> notTried, TargetException first) {
    super(first.getMessage() + (reasons.size() > 1 ? " (and " + (reasons.size() - 1) + " more integration(s))" : ""),
        first);
    this.reasons = Map.copyOf(reasons);
    this.notTried = notTried.stream().map(Integration::name).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Why each integration is not written, by name: this pass's reasons, and for those it did not try,
   * what the pass before said ({@code before}): nothing is known of them since.
   */
  Map<String, String> reasons(Map<String, String> before) {
    Map<String, String> all = new HashMap<>(reasons);
    before.forEach((name, why) -> {
      if (notTried.contains(name)) {
        all.putIfAbsent(name, why);
      }
    });
    return Map.copyOf(all);
  }
}
