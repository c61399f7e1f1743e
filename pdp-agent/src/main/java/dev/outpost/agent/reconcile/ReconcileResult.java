package dev.outpost.agent.reconcile;

import java.time.Instant;

/**
 * The outcome of one reconciliation.
 *
 * @param revision the revision attempted
 * @param succeeded whether every step completed
 * @param failedStep the step that failed, or null
 * @param message why it failed, or null
 * @param changes how many objects had to change (0 when the target already matched)
 * @param at when it finished
 * @param transientFailure whether it failed in a way the same pass may not fail again ({@link TransientFailure})
 * @param leadLost whether it stopped because this replica no longer leads: no verdict on the revision,
 *     which the replica that leads now applies
 */
public record ReconcileResult(long revision, boolean succeeded, String failedStep, String message, int changes,
    Instant at, boolean transientFailure, boolean leadLost) {

  static ReconcileResult succeeded(long revision, int changes, Instant at) {
    return new ReconcileResult(revision, true, null, null, changes, at, false, false);
  }

  static ReconcileResult failed(long revision, String step, Exception failure, int changes, Instant at) {
    String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    return new ReconcileResult(revision, false, step, message, changes, at, TransientFailure.of(step, failure), false);
  }

  static ReconcileResult leadLost(long revision, String step, Exception stop, int changes, Instant at) {
    return new ReconcileResult(revision, false, step, stop.getMessage(), changes, at, false, true);
  }

  /**
   * Whether the target may differ from before: a change made, or a failure in a step that writes
   * (it may have written part of its share before failing, which {@code changes} does not count).
   */
  public boolean mayHaveChanged() {
    return changes > 0 || (!succeeded && Reconciler.writes(failedStep));
  }
}
