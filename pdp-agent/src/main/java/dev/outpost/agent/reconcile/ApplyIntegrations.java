package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes every desired integration; runs before the routes so no route points at nothing. One that
 * cannot be written (a quota, an admission policy) does not keep the others from being written or
 * put back: before, the first such failure stopped every later integration's drift correction.
 */
public final class ApplyIntegrations implements ReconcileStep {
  @Override
  public String name() {
    return "apply-integrations";
  }

  @Override
  public int run(DataPlaneState desired, Target target) throws TargetException {
    // one write for all: each put then finds its token there
    int changed = target.putIngestTokens(desired.integrations()) ? 1 : 0;
    Map<String, String> failed = new LinkedHashMap<>();
    TargetException first = null;
    for (Integration integration : desired.integrations()) {
      try {
        if (target.putIntegration(integration)) {
          changed++;
        }
      } catch (TargetException e) {
        failed.put(integration.name(), e.getMessage());
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw new IntegrationsNotWritten(failed, first);
    }
    return changed;
  }
}
