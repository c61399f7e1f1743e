package dev.outpost.spec.state;

import dev.outpost.spec.json.ObjectFields;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Resources;
import dev.outpost.spec.model.SecretRef;
import java.util.Map;

/** Reads an {@link Integration} (and its secret references) from a JSON tree, applying defaults. */
final class IntegrationTreeReader {
  /** Fields that would carry a secret's value inside a reference: never allowed. */
  static final Map<String, String> SECRET_VALUE_HINTS = Map.of(
      "value", SecretRules.USE_SECRET_REF,
      "data", SecretRules.USE_SECRET_REF,
      "stringData", SecretRules.USE_SECRET_REF);

  private IntegrationTreeReader() {}

  static Integration integration(ObjectFields fields) {
    Integration integration = new Integration(
        fields.requiredString("name"),
        fields.requiredString("project"),
        fields.requiredString("version"),
        fields.requiredString("source"),
        fields.stringMap("config"),
        fields.objectList("secrets", IntegrationTreeReader::secretRef),
        fields.intOr("replicas", Integration.DEFAULT_REPLICAS),
        fields.optionalObject("resources", IntegrationTreeReader::resources));
    fields.finish();
    return integration;
  }

  static SecretRef secretRef(ObjectFields fields) {
    SecretRef ref = new SecretRef(fields.requiredString("name"), fields.requiredString("key"));
    fields.finish(SECRET_VALUE_HINTS);
    return ref;
  }

  static Resources resources(ObjectFields fields) {
    Resources resources = new Resources(
        fields.optionalString("requestsCpu"),
        fields.optionalString("requestsMemory"),
        fields.optionalString("limitsCpu"),
        fields.optionalString("limitsMemory"));
    fields.finish();
    return resources;
  }
}
