package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;

/**
 * One small step of a reconciliation. Steps run in a fixed order; the first that fails stops the
 * rest, so a later step may rely on every earlier one having succeeded (in a correction, unless it
 * {@linkplain #stopsCorrection() says otherwise}).
 */
public interface ReconcileStep {

  /** A short name for status and logs, e.g. {@code apply-integrations}. */
  String name();

  /**
   * Brings one aspect of the target in line with {@code desired}. Idempotent.
   *
   * @return how many objects had to change
   * @throws TargetException when the step cannot complete; its message is reported as status
   */
  int run(DataPlaneState desired, Target target) throws TargetException;

  /**
   * As {@link #run(DataPlaneState, Target)}; {@code correcting} when the state was applied before
   * (a resync, a restore, a put-back) rather than a new revision being tried.
   */
  default int run(DataPlaneState desired, Target target, boolean correcting) throws TargetException {
    return run(desired, target);
  }

  /**
   * Whether a failure of this step stops a correction's later steps. A step that only checks (a
   * missing secret) does not: what was applied before is put back all the same, its failure reported.
   */
  default boolean stopsCorrection() {
    return true;
  }
}
