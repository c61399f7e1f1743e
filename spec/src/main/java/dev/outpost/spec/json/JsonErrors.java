package dev.outpost.spec.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A Jackson parse error as a user reads it: its first line, without the class and setting names Jackson
 * quotes ({@code (bound as 'com.fasterxml.jackson.databind.JsonNode')}, {@code from
 * 'StreamReadConstraints.getMaxNestingDepth()'}), plus the line and column. A YAML syntax error is
 * SnakeYAML's context and problem, at the problem's place: its message's first line names only the
 * context ("while scanning for the next token"), at the context's place.
 */
public final class JsonErrors {

  /** A remark naming one of Jackson's settings: {@code , from `StreamReadConstraints.getMaxNumberLength()`}. */
  private static final Pattern SETTING_SOURCE = Pattern.compile(", from `[^`]*`");
  /** Advice to turn on one of Jackson's features: {@code : enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow}. */
  private static final Pattern FEATURE_ADVICE = Pattern.compile(":? *(?:enable|disable) `[^`]*`[^;(]*");
  /** What is left quoting a Jackson class or setting: the parenthesised remark it stands in. */
  private static final Pattern JACKSON_REMARK = Pattern.compile(" *\\([^()]*(?:`|'com\\.fasterxml|Feature ')[^()]*\\)");

  private JsonErrors() {}

  public static String describe(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblem() != null) {
      return yamlProblem(yaml);
    }
    String message = String.valueOf(e.getOriginalMessage());
    int newline = message.indexOf('\n');
    if (newline > 0) {
      message = message.substring(0, newline);
    }
    if (message.startsWith("Trailing token")) {
      message = "more than one document, or text after the first value";
    } else if (message.startsWith("Expected a field name")) {
      // Jackson goes on with the SnakeYAML event it met: <org.yaml.snakeyaml.events.AliasEvent(anchor=k)>
      message = "a key must be a plain value, not an alias (*name), a list or a mapping";
    } else if (message.contains("nesting depth")) {
      message = "nested too deeply (at most 1000 levels)";
    } else {
      message = SETTING_SOURCE.matcher(message).replaceAll("");
      message = FEATURE_ADVICE.matcher(message).replaceAll("");
      message = JACKSON_REMARK.matcher(message).replaceAll("");
    }
    JsonLocation location = e.getLocation();
    if (location != null && location.getLineNr() > 0) {
      message += " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
    return message;
  }

  /** {@code <context> (<where>): <problem> (<where>)}: an unclosed bracket is told where it opened and where the text ended. */
  private static String yamlProblem(MarkedYAMLException yaml) {
    String context = yaml.getContext();
    Mark contextAt = yaml.getContextMark();
    Mark problemAt = yaml.getProblemMark();
    StringBuilder message = new StringBuilder();
    if (context != null) {
      message.append(context);
      if (contextAt != null && problemAt != null && contextAt.getLine() != problemAt.getLine()) {
        message.append(place(contextAt));
      }
      message.append(": ");
    }
    message.append(yaml.getProblem());
    Mark at = problemAt != null ? problemAt : contextAt;
    return at == null ? message.toString() : message.append(place(at)).toString();
  }

  /** SnakeYAML counts lines and columns from 0. */
  private static String place(Mark mark) {
    return " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")";
  }
}
