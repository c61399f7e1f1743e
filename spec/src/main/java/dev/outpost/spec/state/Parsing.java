package dev.outpost.spec.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.spec.json.JsonErrors;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.json.YamlAnchors;
import dev.outpost.spec.json.YamlLines;
import java.util.List;
import java.util.Optional;

/** Parses text into a tree, turning syntax errors into one plain {@link Violation}. */
final class Parsing {
  private Parsing() {}

  static JsonNode parse(ObjectMapper mapper, String text, String format) throws InvalidStateException {
    if (text == null || text.isBlank()) {
      throw new InvalidStateException(List.of(new Violation("", "the document is empty")));
    }
    try {
      return mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidStateException(List.of(new Violation("", "not valid " + format + ": " + JsonErrors.describe(e))));
    }
  }

  /** YAML as {@link #parse} reads it, refusing anchors and aliases, which Jackson misreads ({@link YamlAnchors}). */
  static JsonNode parseYaml(String text) throws InvalidStateException {
    Optional<String> longLine = YamlLines.tooLong(text);
    if (longLine.isPresent()) {
      throw new InvalidStateException(List.of(new Violation("", longLine.get())));
    }
    JsonNode tree = parse(Mappers.YAML, text, "YAML");
    List<Violation> references = YamlAnchors.anchorsAndAliases(text);
    if (!references.isEmpty()) {
      throw new InvalidStateException(references);
    }
    return tree;
  }
}
