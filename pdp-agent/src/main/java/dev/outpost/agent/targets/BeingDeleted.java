package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.List;

/**
 * An object being deleted ({@code deletionTimestamp} set, held by a finalizer or by its dependents in
 * a foreground deletion) is not written: the Deployment controller rolls nothing out of a Deployment
 * being deleted, so a new version written into it never ran, yet the revision was acked; and the
 * object goes once its finalizers are done, whatever was written.
 */
final class BeingDeleted {

  private BeingDeleted() {}

  static boolean is(HasMetadata live) {
    return live.getMetadata().getDeletionTimestamp() != null;
  }

  /**
   * Why {@code live} is not written. Its cause is the 409 AlreadyExists the API server answers a
   * create of that name until the object is gone: a failure that may pass, so that a revision is tried
   * again rather than refused, and a correction goes on with the other integrations; the first pass
   * after the object is gone creates it.
   */
  static TargetException refusal(HasMetadata live) {
    List<String> finalizers = live.getMetadata().getFinalizers();
    String message = live.getKind() + " " + live.getMetadata().getName() + " is being deleted (finalizers: "
        + (finalizers == null || finalizers.isEmpty() ? "none" : String.join(", ", finalizers))
        + "): created again once it is gone";
    return new TargetException(message, new KubernetesClientException(new StatusBuilder()
        .withCode(HttpURLConnection.HTTP_CONFLICT).withReason("AlreadyExists").withMessage(message).build()));
  }
}
