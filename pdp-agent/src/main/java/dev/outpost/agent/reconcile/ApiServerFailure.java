package dev.outpost.agent.reconcile;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a failed write is the API server's trouble rather than the object's: it gave no answer (an
 * I/O error or timeout under the client's exception), or answered that it cannot take the request now
 * (408, 429, 5xx, each after the client's own retries). The next object's write would likely fail the
 * same way, after the same retries. A refusal of the object itself (403, 409, 422, a webhook's denial, an
 * object the agent does not manage) is not; nor is a 500 of an admission webhook that could not be
 * called ({@value #WEBHOOK_NOT_CALLED}): with {@code failurePolicy: Fail} it refuses only the objects its
 * selectors match (ApplyIntegrations stops at the same webhook twice in a row, {@link #webhookNotCalled}:
 * then it is down for all the objects it selects, and each further write would pay the same retries);
 * nor is a failure that is no Kubernetes API call.
 */
final class ApiServerFailure {
  /** What the API server's message says when an admission webhook failing closed could not be called. */
  static final String WEBHOOK_NOT_CALLED = "failed calling webhook";
  private static final Pattern WEBHOOK_NAME = Pattern.compile(Pattern.quote(WEBHOOK_NOT_CALLED) + " \"([^\"]*)\"");

  private ApiServerFailure() {}

  static boolean of(Throwable failure) {
    boolean kubernetes = false;
    boolean unanswered = false;
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof KubernetesClientException refused) {
        int code = refused.getCode();
        if (code > 0) {
          return (code == 408 || code == 429 || code >= 500) && !webhookNotCalled(refused);
        }
        kubernetes = true;
      }
      unanswered |= kubernetes && (cause instanceof IOException || cause instanceof UncheckedIOException
          || cause instanceof TimeoutException);
    }
    return unanswered;
  }

  private static boolean webhookNotCalled(KubernetesClientException e) {
    String message = message(e);
    return message != null && message.contains(WEBHOOK_NOT_CALLED);
  }

  /** The admission webhook that could not be called, as the API server names it ("" if it does not). */
  static Optional<String> webhookNotCalled(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof KubernetesClientException refused && webhookNotCalled(refused)) {
        Matcher name = WEBHOOK_NAME.matcher(message(refused));
        return Optional.of(name.find() ? name.group(1) : "");
      }
    }
    return Optional.empty();
  }

  private static String message(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
  }
}
