package dev.outpost.controlplane.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies a partial desired state onto the current one, like {@code kubectl apply}: identity
 * providers and integrations are added or replaced by name; when the document has routes, the
 * routes of every integration it names are replaced by the document's routes (without any, they
 * stay: a new version alone removed them); other entries stay as they are. The document's entries
 * come last in each list, so that a problem found in the merged state can be told by the document's
 * own paths ({@link #inDocument}).
 */
final class StateMerge {
  private StateMerge() {}

  /** Returns {@code current} with {@code document} applied; neither argument is changed. */
  static ObjectNode apply(ObjectNode current, ObjectNode document) {
    ObjectNode merged = current.deepCopy();
    upsert(merged, document, "identityProviders", "name");
    upsert(merged, document, "integrations", "name");

    Set<String> integrations = new HashSet<>();
    if (document.has("routes")) {
      document.path("integrations").forEach(i -> integrations.add(i.path("name").asText()));
    }
    Set<String> routeIds = new HashSet<>();
    document.path("routes").forEach(r -> routeIds.add(r.path("id").asText()));
    ArrayNode routes = merged.arrayNode();
    merged.path("routes").forEach(r -> {
      if (!integrations.contains(r.path("integration").asText()) && !routeIds.contains(r.path("id").asText())) {
        routes.add(r);
      }
    });
    document.path("routes").forEach(routes::add);
    merged.set("routes", routes);

    if (document.has("telemetry")) {
      merged.set("telemetry", document.get("telemetry"));
    }
    return merged;
  }

  /**
   * The problems of a merged state told by the document's own paths: {@code routes[6]} of the merged
   * state is {@code routes[0]} of a one-route document. A problem of an entry the document did not
   * give is told as the deployed state's.
   */
  static InvalidStateException inDocument(InvalidStateException e, ObjectNode merged, ObjectNode document) {
    List<Violation> told = new ArrayList<>();
    for (Violation v : e.violations()) {
      told.add(new Violation(documentPath(v.path(), merged, document), inDocument(v.message(), merged, document)));
    }
    return new InvalidStateException(told);
  }

  /**
   * {@code message} naming other entries ("already used by integrations[4]") by the document's paths
   * too; a quoted value (a duplicate id the user wrote) is left as it is.
   */
  private static String inDocument(String message, ObjectNode merged, ObjectNode document) {
    Matcher m = LIST_ENTRY.matcher(message);
    StringBuilder told = new StringBuilder();
    while (m.find()) {
      boolean quoted = message.substring(0, m.start()).chars().filter(c -> c == '"').count() % 2 == 1;
      m.appendReplacement(told, Matcher.quoteReplacement(quoted ? m.group() : documentPath(m.group(), merged, document)));
    }
    return m.appendTail(told).toString();
  }

  /**
   * {@code path} of the merged state as the document's ({@code routes[0]}), or, for an entry the
   * document did not give, the deployed entry by its key ({@code (deployed) routes[id=orders]}): its
   * index in the merged state is not the one it has in the deployed state, which replaced entries left.
   */
  private static String documentPath(String path, ObjectNode merged, ObjectNode document) {
    Matcher m = LIST_ENTRY.matcher(path);
    if (!m.lookingAt() || !document.path(m.group(1)).isArray()) {
      return path;
    }
    int index;
    try {
      index = Integer.parseInt(m.group(2));
    } catch (NumberFormatException tooLarge) {
      return path;
    }
    int before = merged.path(m.group(1)).size() - document.path(m.group(1)).size();
    if (index >= before) {
      return m.group(1) + "[" + (index - before) + "]" + path.substring(m.end());
    }
    String key = m.group(1).equals("routes") ? "id" : "name";
    return "(deployed) " + m.group(1) + "[" + key + "=" + merged.path(m.group(1)).path(index).path(key).asText() + "]"
        + path.substring(m.end());
  }

  private static final Pattern LIST_ENTRY = Pattern.compile("(identityProviders|integrations|routes)\\[(\\d+)]");

  private static void upsert(ObjectNode merged, ObjectNode document, String field, String key) {
    JsonNode incoming = document.path(field);
    if (!incoming.isArray()) {
      return;
    }
    Set<String> names = new HashSet<>();
    incoming.forEach(e -> names.add(e.path(key).asText()));
    ArrayNode result = merged.arrayNode();
    merged.path(field).forEach(e -> {
      if (!names.contains(e.path(key).asText())) {
        result.add(e);
      }
    });
    incoming.forEach(result::add);
    merged.set(field, result);
  }
}
