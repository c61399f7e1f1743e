package dev.outpost.controlplane.idp;

import dev.outpost.spec.json.ObjectFields;
import java.util.List;

/**
 * What {@code POST /idp/token} takes.
 *
 * @param sub the subject, required
 * @param scope space-separated scopes; may be empty
 * @param projects the projects the holder may read; may be empty
 * @param ttlSeconds lifetime; absent or 0 for the default
 */
public record TokenRequest(String sub, String scope, List<String> projects, long ttlSeconds) {

  /** Reads a request's fields, reporting a wrong type or an unknown field to {@code fields}' problems by its name. */
  static TokenRequest read(ObjectFields fields) {
    TokenRequest request = new TokenRequest(fields.optionalString("sub"), fields.optionalString("scope"),
        fields.stringList("projects"), fields.longOr("ttlSeconds", 0));
    fields.finish();
    return request;
  }
}
