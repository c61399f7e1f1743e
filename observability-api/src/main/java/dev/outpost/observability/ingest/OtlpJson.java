package dev.outpost.observability.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.outpost.spec.json.JsonErrors;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * OTLP/JSON, which is protobuf's JSON mapping except that trace and span ids are hex rather than
 * base64. Unknown fields are ignored; enums may be integers; int64 may be strings. A body is one
 * object, with no key twice in an object and at most {@value #MAX_DEPTH} levels deep, or it is
 * refused whole. Printed, enums are integers, as the OTLP/JSON encoding requires (Grafana's Jaeger v3
 * client reads them as numbers).
 */
public final class OtlpJson {

  private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id",
      "parent_span_id");
  /**
   * The deepest nesting of arrays and objects a body may have: protobuf's parser (Gson) refuses past
   * 255 levels, and its refusal names its own class and repeats the path, some 900 characters.
   */
  static final int MAX_DEPTH = 255;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Reads bodies: a key given twice in one object is refused (a tree would keep only the last). */
  private static final ObjectMapper READER = JsonMapper.builder(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build()).build();
  /** A Java exception's class name where a message quotes it ("com.google.gson.stream.MalformedJsonException: "). */
  private static final Pattern EXCEPTION_CLASS =
      Pattern.compile("(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)(?::\\s*|$)");
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace().printingEnumsAsInts();

  private OtlpJson() {}

  /** Parses OTLP/JSON into {@code builder}; the message of the exception says what is wrong. */
  public static void parse(byte[] json, Message.Builder builder) throws InvalidOtlpException {
    JsonNode tree = readWhole(json);
    if (tree == null || !tree.isObject()) {
      throw new InvalidOtlpException("body must be a JSON object");
    }
    convertIds(tree, true);
    try {
      PARSER.merge(MAPPER.writeValueAsString(tree), builder);
    } catch (InvalidProtocolBufferException | JsonProcessingException | RuntimeException e) {
      throw new InvalidOtlpException(base64Error(e) != null
          ? "bytesValue must be base64, got one that is not: " + base64Error(e).getMessage()
          : "body is not a valid OTLP JSON request: "
              + JsonFieldLocator.locate(tree, builder.getDescriptorForType(), PARSER).orElse(plainMessage(e)));
    }
  }

  /**
   * The body's one JSON value, or null when it has none. Read whole: Jackson's defaults stop after the
   * first value (a second batch appended to the first was dropped unread) and keep the last of a key
   * given twice (the records under the first were lost), and both were answered 200.
   */
  private static JsonNode readWhole(byte[] json) throws InvalidOtlpException {
    try (JsonParser parser = READER.createParser(json)) {
      try {
        JsonNode tree = READER.readTree(parser);
        JsonLocation end = parser.currentLocation();
        if (tree != null && moreFollows(parser)) {
          throw new InvalidOtlpException("body must be one JSON object, but more follows the one that ends at "
              + where(end) + ": send one request per body");
        }
        return tree;
      } catch (StreamConstraintsException e) {
        // Jackson's message names its own method: "(255, from `StreamReadConstraints.getMaxNestingDepth()`)"
        throw new InvalidOtlpException("body is past a limit of this server: "
            + e.getOriginalMessage().replaceAll(", from `[^`]*`", ""));
      } catch (JsonProcessingException e) {
        if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
          throw new InvalidOtlpException("body gives the key \"" + parser.currentName() + "\" twice in one object, at "
              + where(e.getLocation()) + ": one of them would be lost");
        }
        throw new InvalidOtlpException("body is not valid JSON: " + JsonErrors.describe(e));
      }
    } catch (IOException e) {
      throw new InvalidOtlpException("body is not valid JSON: " + e.getMessage());
    }
  }

  /** Whether anything but white space follows the value just read: another value, or text that is none. */
  private static boolean moreFollows(JsonParser parser) {
    try {
      return parser.nextToken() != null;
    } catch (IOException e) {
      return true;
    }
  }

  private static String where(JsonLocation location) {
    return "line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /**
   * A parser's message for the sender: protobuf passes Gson's exceptions on as "class name: message",
   * which names this server's code rather than what is wrong with the body.
   */
  static String plainMessage(Throwable e) {
    String message = e.getMessage() == null ? "" : EXCEPTION_CLASS.matcher(e.getMessage()).replaceAll("").strip();
    if (message.startsWith("Hit recursion limit")) {
      return "a value is nested deeper than protobuf reads (100 nested messages: about 40 levels of kvlistValue)";
    }
    return message.isEmpty() ? "it does not match the OTLP schema" : abbreviate(message, 200);
  }

  /**
   * Guava's base64 error, which protobuf passes on as its message: a Java class name that names
   * no field. Ids are converted before protobuf sees them, so the only bytes left are bytesValue.
   */
  private static Throwable base64Error(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getClass().getName().endsWith("BaseEncoding$DecodingException")) {
        return t;
      }
    }
    return null;
  }

  /** Prints a message as OTLP/JSON (hex ids). */
  public static String print(Message message) {
    try {
      JsonNode tree = MAPPER.readTree(PRINTER.print(message));
      convertIds(tree, false);
      return MAPPER.writeValueAsString(tree);
    } catch (IOException | InvalidOtlpException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getName(), e);
    }
  }

  private static void convertIds(JsonNode node, boolean hexToBase64) throws InvalidOtlpException {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (ID_FIELDS.contains(field.getKey()) && field.getValue().isTextual()) {
          field.setValue(object.textNode(convert(field.getKey(), field.getValue().asText(), hexToBase64)));
        } else if (ID_FIELDS.contains(field.getKey()) && hexToBase64 && !field.getValue().isNull()) {
          throw new InvalidOtlpException(field.getKey() + " must be a string of hex digits, got "
              + abbreviate(field.getValue().toString()));
        } else {
          convertIds(field.getValue(), hexToBase64);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (JsonNode element : array) {
        convertIds(element, hexToBase64);
      }
    }
  }

  private static String convert(String field, String value, boolean hexToBase64) throws InvalidOtlpException {
    if (value.isEmpty()) {
      return value;
    }
    if (!hexToBase64) {
      return HexFormat.of().formatHex(Base64.getDecoder().decode(value));
    }
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(value));
    } catch (IllegalArgumentException e) {
      throw new InvalidOtlpException(field + " must be hex-encoded, got '" + abbreviate(value) + "'");
    }
  }

  private static String abbreviate(String value) {
    return abbreviate(value, 40);
  }

  private static String abbreviate(String value, int length) {
    return value.length() > length ? value.substring(0, length) + "…" : value;
  }

  /** The body is not a valid OTLP request; the message says why. */
  public static final class InvalidOtlpException extends Exception {
    public InvalidOtlpException(String message) {
      super(message);
    }
  }
}
