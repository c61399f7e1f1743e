package dev.outpost.agent.reconcile;

import java.time.Instant;

/**
 * The reconciler's status, as data (Flux's {@code lastAppliedRevision} and {@code
 * lastAttemptedRevision}).
 *
 * @param lastAppliedRevision the newest revision whose reconciliation succeeded; 0 before any
 * @param lastAttemptedRevision the newest revision tried; differs from the applied one while it fails
 * @param failedStep the step the last attempt stopped at, or null when it succeeded
 * @param message why it stopped, or null
 * @param lastReconciledAt when the last attempt finished, or null before any
 */
public record ReconcileStatus(
    long lastAppliedRevision,
    long lastAttemptedRevision,
    String failedStep,
    String message,
    Instant lastReconciledAt) {

  public static final ReconcileStatus INITIAL = new ReconcileStatus(0, 0, null, null, null);

  ReconcileStatus after(ReconcileResult result) {
    return result.succeeded()
        ? new ReconcileStatus(result.revision(), result.revision(), null, null, result.at())
        : new ReconcileStatus(lastAppliedRevision, result.revision(), result.failedStep(), result.message(), result.at());
  }

  /** Whether the last attempt succeeded. */
  public boolean ready() {
    return failedStep == null;
  }
}
