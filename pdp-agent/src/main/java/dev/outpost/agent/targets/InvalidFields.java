package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which fields of an object the API server refused as invalid (422), in Kubernetes' own words:
 * {@code spec.template.spec.containers[0].resources.requests: Invalid value: "1Gi": must be less than
 * or equal to memory limit of 512Mi}. Its validation names only fields of the agent's own objects and
 * the values it finds wrong there (quantities, names, labels; never a Secret's value, which the agent
 * never writes into them). An admission webhook or policy may answer 422 with causes of its own,
 * which may quote the object (an integration's config): those are left out, as are causes of a type
 * Kubernetes' validation does not use ({@code metav1.CauseType}).
 */
final class InvalidFields {
  /** The field errors of Kubernetes' validation ({@code field.ErrorType}). */
  private static final Set<String> FIELD_ERRORS = Set.of("FieldValueNotFound", "FieldValueRequired",
      "FieldValueDuplicate", "FieldValueInvalid", "FieldValueNotSupported", "FieldValueForbidden", "FieldValueTooLong",
      "FieldValueTooMany", "FieldValueTypeInvalid");
  /** Enough to fix the first ones; the agent's log has them all. */
  static final int MAX_CAUSES = 3;
  static final int MAX_CAUSE_CHARS = 200;

  private InvalidFields() {}

  /** The refused fields and why, {@code field: message; …}; empty unless Kubernetes' validation refused the object. */
  static Optional<String> of(KubernetesClientException e) {
    Status status = e.getStatus();
    if (e.getCode() != 422 || status == null || !"Invalid".equals(status.getReason())
        || status.getDetails() == null || status.getDetails().getCauses() == null || byAdmission(status.getMessage())) {
      return Optional.empty();
    }
    List<String> causes = status.getDetails().getCauses().stream()
        .filter(c -> FIELD_ERRORS.contains(c.getReason()) && c.getField() != null && !c.getField().isBlank())
        .map(InvalidFields::describe)
        .distinct()
        .toList();
    if (causes.isEmpty()) {
      return Optional.empty();
    }
    String listed = causes.stream().limit(MAX_CAUSES).collect(Collectors.joining("; "));
    return Optional.of(causes.size() > MAX_CAUSES ? listed + "; and " + (causes.size() - MAX_CAUSES) + " more" : listed);
  }

  /** {@code admission webhook "name" denied the request: …}, {@code ValidatingAdmissionPolicy '…' … denied request: …} */
  private static boolean byAdmission(String message) {
    return message != null && (message.contains("admission webhook") || message.contains("AdmissionPolicy"));
  }

  private static String describe(StatusCause cause) {
    String text = (cause.getField() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()))
        .replaceAll("\\p{Cntrl}+", " ").strip();
    return text.length() <= MAX_CAUSE_CHARS ? text : text.substring(0, MAX_CAUSE_CHARS - 1) + "…";
  }
}
