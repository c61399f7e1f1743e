package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** One object's identity in a namespace's bookkeeping: kind, namespace, name. */
final class ObjectKey {

  private ObjectKey() {}

  static String of(HasMetadata object) {
    return object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }
}
