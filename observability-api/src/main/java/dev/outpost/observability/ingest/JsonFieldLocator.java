package dev.outpost.observability.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the field of an OTLP/JSON request that protobuf's parser refused: its messages ({@code Not
 * an uint64 value: "abc"}) name no field, and a sender cannot tell which of thousands of records is
 * wrong. Runs only after a parse failed: each value is parsed alone into its own message type, and
 * the first one refused gives its path ({@code resourceLogs[0].scopeLogs[0].logRecords[3].timeUnixNano}).
 */
final class JsonFieldLocator {

  private JsonFieldLocator() {}

  /** The path of the first value {@code parser} refuses, and why, or empty when none is found alone. */
  static Optional<String> locate(JsonNode tree, Descriptor type, JsonFormat.Parser parser) {
    return Optional.ofNullable(inObject(tree, type, "", parser));
  }

  private static String inObject(JsonNode object, Descriptor type, String path, JsonFormat.Parser parser) {
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      FieldDescriptor field = field(type, entry.getKey());
      if (field == null || entry.getValue().isNull()) {
        continue; // unknown fields are ignored, null is the default
      }
      String here = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
      String problem = field.isRepeated() && entry.getValue().isArray()
          ? inArray(entry.getValue(), field, type, here, parser)
          : inValue(entry.getValue(), field, type, here, parser);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String inArray(JsonNode array, FieldDescriptor field, Descriptor type, String path,
      JsonFormat.Parser parser) {
    for (int i = 0; i < array.size(); i++) {
      String problem = inValue(array.get(i), field, type, path + "[" + i + "]", parser);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String inValue(JsonNode value, FieldDescriptor field, Descriptor type, String path,
      JsonFormat.Parser parser) {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && value.isObject()) {
      return inObject(value, field.getMessageType(), path, parser);
    }
    String alone = "{\"" + field.getJsonName() + "\":" + (field.isRepeated() ? "[" + value + "]" : value) + "}";
    try {
      parser.merge(alone, DynamicMessage.newBuilder(type));
      return null;
    } catch (Exception refused) {
      return path + ": " + refused.getMessage();
    }
  }

  private static FieldDescriptor field(Descriptor type, String name) {
    FieldDescriptor byName = type.findFieldByName(name);
    if (byName != null) {
      return byName;
    }
    return type.getFields().stream().filter(f -> f.getJsonName().equals(name)).findFirst().orElse(null);
  }
}
