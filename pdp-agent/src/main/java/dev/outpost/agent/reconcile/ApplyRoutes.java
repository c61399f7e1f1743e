package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;

/**
 * Writes the gateway's routing table: after the integrations, before any pruning; a route moving to
 * another integration stays where it is until that one serves ({@link RouteHandover}).
 */
public final class ApplyRoutes implements ReconcileStep {
  private final RouteHandover handover;

  ApplyRoutes(RouteHandover handover) {
    this.handover = handover;
  }

  @Override
  public String name() {
    return "apply-routes";
  }

  @Override
  public int run(DataPlaneState desired, Target target) throws TargetException {
    return target.putRoutes(handover.plan(desired, target)) ? 1 : 0;
  }
}
