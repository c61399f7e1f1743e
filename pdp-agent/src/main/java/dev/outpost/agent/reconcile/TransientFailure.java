package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.NamespaceNotHeldException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;

/**
 * Whether a failed pass may succeed if tried again unchanged, as Flux retries a failed
 * reconciliation: a step that only reads (a Secret External Secrets creates a moment later, the
 * namespace claim being made), a write the API server or the disk could not take now (a 5xx, 429,
 * 409 after fabric8's own retries, an I/O error or timeout), or one not made because this agent does
 * not hold its namespace now ({@link NamespaceNotHeldException}, as at a pass's start, where the same
 * refusal is a reading step's). A write the API server refuses for what
 * it is (422, 403, an object the agent does not manage) fails again the same way: retrying it would
 * only roll the integrations before it out and back.
 */
public final class TransientFailure {

  private TransientFailure() {}

  /** Whether {@code failure} of {@code step} may pass if the step is run again unchanged. */
  public static boolean of(String step, Throwable failure) {
    return !Reconciler.writes(step) || ofWrite(failure);
  }

  /**
   * Whether a failed write may pass later: a hold not held now, or the API server's status, decide
   * wherever they are in the chain (a store wraps it in an IOException, which alone would read as a
   * network error), then an I/O error or timeout.
   */
  public static boolean ofWrite(Throwable failure) {
    boolean io = false;
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof NamespaceNotHeldException) {
        return true; // whatever the API server answered its renewal
      }
      if (cause instanceof KubernetesClientException refused && refused.getCode() > 0) {
        int code = refused.getCode();
        return code == 408 || code == 409 || code == 429 || code >= 500;
      }
      io |= cause instanceof IOException || cause instanceof UncheckedIOException || cause instanceof TimeoutException;
    }
    return io;
  }
}
