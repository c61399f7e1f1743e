package dev.outpost.spec.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/**
 * A Jackson parse error as a user reads it: its first line, without the class and setting names Jackson
 * quotes ({@code (bound as 'com.fasterxml.jackson.databind.JsonNode')}, {@code from
 * 'StreamReadConstraints.getMaxNestingDepth()'}), plus the line and column.
 */
public final class JsonErrors {

  /** A parenthesised remark quoting one of Jackson's own names. */
  private static final Pattern JACKSON_REMARK =
      Pattern.compile("\\s*\\([^()]*'(?:com\\.fasterxml|StreamReadConstraints|StreamWriteConstraints|DeserializationFeature|JsonParser)[^']*'[^()]*\\)");

  private JsonErrors() {}

  public static String describe(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage());
    int newline = message.indexOf('\n');
    if (newline > 0) {
      message = message.substring(0, newline);
    }
    if (message.startsWith("Trailing token")) {
      message = "more than one document, or text after the first value";
    } else if (message.contains("nesting depth")) {
      message = "nested too deeply (at most 1000 levels)";
    } else {
      message = JACKSON_REMARK.matcher(message).replaceAll("");
    }
    JsonLocation location = e.getLocation();
    if (location != null && location.getLineNr() > 0) {
      message += " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
    return message;
  }
}
