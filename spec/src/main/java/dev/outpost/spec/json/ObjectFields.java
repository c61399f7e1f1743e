package dev.outpost.spec.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the fields of one JSON object, reporting every type error, missing field and unknown field
 * to a shared {@link Problems} with its full path. Each getter returns a usable value (the default,
 * or {@code null} for a missing required field) so that reading continues after an error and all
 * problems are found in one pass. Call {@link #finish()} last to report unknown fields.
 *
 * <p>A JSON {@code null} is not the same as an absent field: it is reported as a type error, so
 * that a document and its JSON Schema agree.
 */
public final class ObjectFields {
  private final JsonNode node;
  private final String path;
  private final Problems problems;
  private final Set<String> known = new HashSet<>();

  private ObjectFields(JsonNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /** The object at {@code path}, or empty (with a problem reported) when it is not an object. */
  public static Optional<ObjectFields> of(JsonNode node, String path, Problems problems) {
    if (node == null || !node.isObject()) {
      problems.add(path, "must be an object" + found(node));
      return Optional.empty();
    }
    return Optional.of(new ObjectFields(node, path, problems));
  }

  public String path() {
    return path;
  }

  public String pathOf(String name) {
    return Problems.field(path, name);
  }

  public Problems problems() {
    return problems;
  }

  public boolean has(String name) {
    return node.has(name);
  }

  /** Whether {@code name} is present and an empty list (where absent means a default). */
  public boolean isEmptyList(String name) {
    JsonNode value = node.get(name);
    return value != null && value.isArray() && value.isEmpty();
  }

  /** Marks {@code name} as known and returns its value, or {@code null} when absent. */
  private JsonNode get(String name) {
    known.add(name);
    return node.get(name);
  }

  private JsonNode required(String name) {
    JsonNode value = get(name);
    if (value == null) {
      problems.add(pathOf(name), "is required");
    }
    return value;
  }

  public String requiredString(String name) {
    JsonNode value = required(name);
    return value == null ? null : asString(value, pathOf(name));
  }

  public String optionalString(String name) {
    JsonNode value = get(name);
    return value == null ? null : asString(value, pathOf(name));
  }

  public long requiredLong(String name) {
    JsonNode value = required(name);
    return value == null ? 0 : asLong(value, pathOf(name), 0);
  }

  public long longOr(String name, long fallback) {
    JsonNode value = get(name);
    return value == null ? fallback : asLong(value, pathOf(name), fallback);
  }

  public int requiredInt(String name) {
    JsonNode value = required(name);
    return value == null ? 0 : asInt(value, pathOf(name), 0);
  }

  public int intOr(String name, int fallback) {
    JsonNode value = get(name);
    return value == null ? fallback : asInt(value, pathOf(name), fallback);
  }

  private int asInt(JsonNode value, String at, int fallback) {
    long result = asLong(value, at, fallback);
    if (result < Integer.MIN_VALUE || result > Integer.MAX_VALUE) {
      problems.add(at, "must be an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
      return fallback;
    }
    return (int) result;
  }

  public boolean booleanOr(String name, boolean fallback) {
    Boolean value = optionalBoolean(name);
    return value == null ? fallback : value;
  }

  public boolean requiredBoolean(String name) {
    Boolean value = required(name) == null ? Boolean.FALSE : optionalBoolean(name);
    return Boolean.TRUE.equals(value);
  }

  public Boolean optionalBoolean(String name) {
    JsonNode value = get(name);
    if (value == null) {
      return null;
    }
    if (!value.isBoolean()) {
      problems.add(pathOf(name), "must be true or false" + found(value));
      return null;
    }
    return value.booleanValue();
  }

  /** A list of strings; absent means empty. */
  public List<String> stringList(String name) {
    return list(name, (element, elementPath) -> asString(element, elementPath));
  }

  /** A map of string to string; absent means empty. */
  public Map<String, String> stringMap(String name) {
    JsonNode value = get(name);
    Map<String, String> result = new LinkedHashMap<>();
    if (value == null) {
      return result;
    }
    if (!value.isObject()) {
      problems.add(pathOf(name), "must be an object of strings" + found(value));
      return result;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String text = asString(entry.getValue(), Problems.field(pathOf(name), entry.getKey()));
      if (text != null) {
        result.put(entry.getKey(), text);
      }
    }
    return result;
  }

  /** An optional object read by {@code reader}; {@code null} when absent or not an object. */
  public <T> T optionalObject(String name, Function<ObjectFields, T> reader) {
    JsonNode value = get(name);
    return value == null ? null : of(value, pathOf(name), problems).map(reader).orElse(null);
  }

  /** A required object kept as it is (e.g. a state tree whose signature must be checked as received). */
  public JsonNode requiredObjectNode(String name) {
    JsonNode value = required(name);
    if (value != null && !value.isObject()) {
      problems.add(pathOf(name), "must be an object" + found(value));
      return null;
    }
    return value;
  }

  /** A required object read by {@code reader}; {@code null} when absent or not an object. */
  public <T> T requiredObject(String name, Function<ObjectFields, T> reader) {
    JsonNode value = required(name);
    return value == null ? null : of(value, pathOf(name), problems).map(reader).orElse(null);
  }

  /** A list of objects, each read by {@code reader}; absent means empty. Unreadable elements are dropped. */
  public <T> List<T> objectList(String name, Function<ObjectFields, T> reader) {
    return list(name, (element, elementPath) -> of(element, elementPath, problems).map(reader).orElse(null));
  }

  private <T> List<T> list(String name, ElementReader<T> reader) {
    JsonNode value = get(name);
    List<T> result = new ArrayList<>();
    if (value == null) {
      return result;
    }
    if (!value.isArray()) {
      problems.add(pathOf(name), "must be a list" + found(value));
      return result;
    }
    for (int i = 0; i < value.size(); i++) {
      T element = reader.read(value.get(i), Problems.index(pathOf(name), i));
      if (element != null) {
        result.add(element);
      } else {
        problems.elementDropped();
      }
    }
    return result;
  }

  /**
   * Reports every field not read so far; {@code hints} gives a specific message for some names
   * (e.g. secret values), otherwise the message is "unknown field".
   */
  public void finish(Map<String, String> hints) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        problems.add(pathOf(name), hints.getOrDefault(name, "unknown field"));
      }
    }
  }

  public void finish() {
    finish(Map.of());
  }

  private String asString(JsonNode value, String at) {
    if (!value.isTextual()) {
      problems.add(at, "must be a string" + found(value));
      return null;
    }
    return value.textValue();
  }

  /** Integral numbers only; {@code 2.0} counts as the integer 2 (as in JSON Schema and canonical JSON). */
  private long asLong(JsonNode value, String at, long fallback) {
    if (value.isNumber()) {
      BigDecimal decimal = value.decimalValue().stripTrailingZeros();
      // At most 19 integer digits fit a long; checking the count first keeps 1e1000000000 from expanding.
      if (decimal.scale() <= 0 && (decimal.signum() == 0 || decimal.precision() - decimal.scale() <= 19)) {
        try {
          return decimal.longValueExact();
        } catch (ArithmeticException e) {
          // out of range: reported below
        }
      }
    }
    problems.add(at, "must be an integer" + found(value));
    return fallback;
  }

  /** ", found a list" etc., to say what was there instead. */
  public static String found(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "";
    }
    if (value.isNull()) {
      return ", found null";
    }
    if (value.isArray()) {
      return ", found a list";
    }
    if (value.isObject()) {
      return ", found an object";
    }
    if (value.isBoolean()) {
      return ", found a boolean";
    }
    if (value.isNumber()) {
      return ", found the number " + value.asText();
    }
    if (value.isBinary()) {
      return ", found binary data (!!binary)";
    }
    return ", found a string";
  }

  @FunctionalInterface
  private interface ElementReader<T> {
    T read(JsonNode element, String path);
  }
}
