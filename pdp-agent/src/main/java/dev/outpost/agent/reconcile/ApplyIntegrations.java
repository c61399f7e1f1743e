package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;

/** Writes every desired integration; runs before the routes so no route points at nothing. */
public final class ApplyIntegrations implements ReconcileStep {
  @Override
  public String name() {
    return "apply-integrations";
  }

  @Override
  public int run(DataPlaneState desired, Target target) throws TargetException {
    // one write for all: each put then finds its token there
    int changed = target.putIngestTokens(desired.integrations()) ? 1 : 0;
    for (Integration integration : desired.integrations()) {
      if (target.putIntegration(integration)) {
        changed++;
      }
    }
    return changed;
  }
}
