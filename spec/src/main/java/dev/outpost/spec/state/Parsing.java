package dev.outpost.spec.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.spec.json.JsonErrors;
import java.util.List;

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
}
