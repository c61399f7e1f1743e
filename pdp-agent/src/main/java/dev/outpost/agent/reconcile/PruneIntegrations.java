package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Deletes what the inventory holds and the state no longer asks for. Last, so the routing table no
 * longer points at what it removes; and never what a route is held on, or was moved from in this
 * pass ({@link RouteHandover}): those go in a later pass.
 */
public final class PruneIntegrations implements ReconcileStep {
  private final RouteHandover handover;

  PruneIntegrations(RouteHandover handover) {
    this.handover = handover;
  }

  @Override
  public String name() {
    return "prune";
  }

  @Override
  public int run(DataPlaneState desired, Target target) throws TargetException {
    Set<String> wanted = desired.integrations().stream().map(Integration::name).collect(Collectors.toSet());
    int changed = 0;
    for (String name : target.integrations()) {
      if (!wanted.contains(name) && !handover.kept().contains(name) && target.deleteIntegration(name)) {
        changed++;
      }
    }
    return changed;
  }
}
