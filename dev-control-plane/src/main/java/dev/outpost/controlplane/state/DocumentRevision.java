package dev.outpost.controlplane.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.spec.json.ObjectFields;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code revision} a document gives: the revision of the state it was read at, as a Kubernetes
 * object's {@code resourceVersion} on a PUT. A state read at 4 and put back after another change had
 * made 5 was taken, and silently undid that change.
 */
final class DocumentRevision {
  private DocumentRevision() {}

  /** What is wrong with the document's revision, naming the field; empty when it has none or a good one. */
  static Optional<String> problem(ObjectNode document) {
    JsonNode revision = document.get("revision");
    if (revision == null || isRevision(revision)) {
      return Optional.empty();
    }
    return Optional.of("revision: must be a non-negative integer (the revision the state was read at)"
        + ObjectFields.found(revision));
  }

  /** The document's revision, empty when it gives none; call once {@link #problem} found nothing. */
  static OptionalLong of(ObjectNode document) {
    JsonNode revision = document.get("revision");
    return revision == null ? OptionalLong.empty() : OptionalLong.of(revision.longValue());
  }

  private static boolean isRevision(JsonNode value) {
    return value.isNumber() && value.canConvertToExactIntegral() && value.canConvertToLong() && value.longValue() >= 0;
  }
}
