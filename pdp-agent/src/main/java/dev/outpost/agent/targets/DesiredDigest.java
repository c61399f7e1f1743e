package dev.outpost.agent.targets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;

/**
 * The SHA-256 of an object as JSON with every map's keys in order: the same object gives the same
 * digest in every run of the agent. Serialized as built, it did not: {@code Map.of}'s iteration order
 * changes with each JVM, so a restarted agent found every object with such a map changed and wrote it.
 */
final class DesiredDigest {
  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private DesiredDigest() {}

  static String of(JsonNode object) {
    try {
      return IntegrationObjects.sha256(CANONICAL.writeValueAsString(CANONICAL.convertValue(object, Map.class)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a Kubernetes object is JSON", e);
    }
  }
}
