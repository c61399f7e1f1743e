package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;

/** Tells observability-api how long to keep logs and traces. */
public final class ApplyTelemetry implements ReconcileStep {
  @Override
  public String name() {
    return "apply-telemetry";
  }

  @Override
  public int run(DataPlaneState desired, Target target) throws TargetException {
    return target.putTelemetry(desired.telemetry()) ? 1 : 0;
  }
}
