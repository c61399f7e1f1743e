package dev.outpost.agent.reconcile;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;

/**
 * Whether a failed pass may succeed if tried again unchanged, as Flux retries a failed
 * reconciliation: a step that only reads (a Secret External Secrets creates a moment later, the
 * namespace claim being made), or a write the API server or the disk could not take now (a 5xx, 429,
 * 409 after fabric8's own retries, an I/O error or timeout). A write the API server refuses for what
 * it is (422, 403, an object the agent does not manage) fails again the same way: retrying it would
 * only roll the integrations before it out and back.
 */
final class TransientFailure {

  private TransientFailure() {}

  static boolean of(String step, Throwable failure) {
    if (!Reconciler.writes(step)) {
      return true;
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof KubernetesClientException refused && refused.getCode() > 0) {
        int code = refused.getCode();
        return code == 408 || code == 409 || code == 429 || code >= 500;
      }
      if (cause instanceof IOException || cause instanceof UncheckedIOException || cause instanceof TimeoutException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }
}
