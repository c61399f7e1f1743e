package dev.outpost.spec.state;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
      throw new InvalidStateException(List.of(new Violation("", "not valid " + format + ": " + describe(e))));
    }
  }

  /** Jackson's message without its source excerpt, plus the line and column. */
  static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    int newline = message.indexOf('\n');
    if (newline > 0) {
      message = message.substring(0, newline);
    }
    JsonLocation location = e.getLocation();
    if (location != null && location.getLineNr() > 0) {
      message += " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
    return message;
  }
}
