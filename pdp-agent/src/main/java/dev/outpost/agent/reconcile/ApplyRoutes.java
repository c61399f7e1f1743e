package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.RoutingTable;

/** Writes the gateway's routing table: after the integrations, before any pruning. */
public final class ApplyRoutes implements ReconcileStep {
  @Override
  public String name() {
    return "apply-routes";
  }

  @Override
  public int run(DataPlaneState desired, Target target) throws TargetException {
    return target.putRoutes(RoutingTable.of(desired)) ? 1 : 0;
  }
}
