package dev.outpost.observability.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON, which is protobuf's JSON mapping except that trace and span ids are hex rather than
 * base64. Unknown fields are ignored; enums may be integers; int64 may be strings. Printed, enums are
 * integers, as the OTLP/JSON encoding requires (Grafana's Jaeger v3 client reads them as numbers).
 */
public final class OtlpJson {

  private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id",
      "parent_span_id");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace().printingEnumsAsInts();

  private OtlpJson() {}

  /** Parses OTLP/JSON into {@code builder}; the message of the exception says what is wrong. */
  public static void parse(byte[] json, Message.Builder builder) throws InvalidOtlpException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidOtlpException("body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidOtlpException("body is not valid JSON: " + e.getMessage());
    }
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
              + JsonFieldLocator.locate(tree, builder.getDescriptorForType(), PARSER).orElse(e.getMessage()));
    }
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
    return value.length() > 40 ? value.substring(0, 40) + "…" : value;
  }

  /** The body is not a valid OTLP request; the message says why. */
  public static final class InvalidOtlpException extends Exception {
    public InvalidOtlpException(String message) {
      super(message);
    }
  }
}
