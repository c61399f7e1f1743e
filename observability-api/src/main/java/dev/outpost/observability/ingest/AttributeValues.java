package dev.outpost.observability.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.observability.store.AttributeMap;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OTLP values as the strings the store indexes (arrays and maps as JSON). */
final class AttributeValues {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();
  static final String SCOPE_NAME = "otel.scope.name";
  static final String SCOPE_VERSION = "otel.scope.version";

  private AttributeValues() {}

  /**
   * A record's attributes with its instrumentation scope's name and version ({@code otel.scope.name},
   * {@code otel.scope.version}, as Jaeger's OTLP translator tags them): for logs sent through an
   * appender the scope's name is the logger's. The record's own attributes win a clash.
   */
  static Map<String, String> toMap(List<KeyValue> attributes, InstrumentationScope scope) {
    if (scope.getName().isEmpty() && scope.getVersion().isEmpty()) {
      return toMap(attributes);
    }
    AttributeMap.Builder map = AttributeMap.builder(attributes.size() + 2);
    if (!scope.getName().isEmpty()) {
      map.put(SCOPE_NAME, scope.getName());
    }
    if (!scope.getVersion().isEmpty()) {
      map.put(SCOPE_VERSION, scope.getVersion());
    }
    for (KeyValue kv : attributes) {
      map.put(kv.getKey(), text(kv.getValue()));
    }
    return map.build();
  }

  static Map<String, String> toMap(List<KeyValue> attributes) {
    if (attributes.isEmpty()) {
      return Map.of();
    }
    AttributeMap.Builder map = AttributeMap.builder(attributes.size());
    for (KeyValue kv : attributes) {
      map.put(kv.getKey(), text(kv.getValue()));
    }
    return map.build();
  }

  static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> json(plain(value));
      case VALUE_NOT_SET -> "";
    };
  }

  static String hex(com.google.protobuf.ByteString id) {
    return id.isEmpty() ? "" : HEX.formatHex(id.toByteArray());
  }

  private static Object plain(AnyValue value) {
    return switch (value.getValueCase()) {
      case ARRAY_VALUE -> {
        List<Object> list = new ArrayList<>();
        value.getArrayValue().getValuesList().forEach(v -> list.add(plain(v)));
        yield list;
      }
      case KVLIST_VALUE -> {
        Map<String, Object> map = new LinkedHashMap<>();
        value.getKvlistValue().getValuesList().forEach(kv -> map.put(kv.getKey(), plain(kv.getValue())));
        yield map;
      }
      case BOOL_VALUE -> value.getBoolValue();
      case INT_VALUE -> value.getIntValue();
      case DOUBLE_VALUE -> value.getDoubleValue();
      default -> text(value);
    };
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      return String.valueOf(value);
    }
  }
}
