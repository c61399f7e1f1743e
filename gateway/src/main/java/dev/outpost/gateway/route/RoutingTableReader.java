package dev.outpost.gateway.route;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.spec.model.RoutingTable;
import com.fasterxml.jackson.core.JsonProcessingException;

/** Reads the {@code routes.json} the agent writes. */
public final class RoutingTableReader {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private RoutingTableReader() {}

  /** @throws IllegalArgumentException naming what is wrong when the document is not a routing table */
  public static RoutingTable read(String json) {
    try {
      RoutingTable table = MAPPER.readValue(json, RoutingTable.class);
      if (table == null) {
        throw new IllegalArgumentException("routes.json is empty");
      }
      return table;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("routes.json is not a routing table: " + e.getOriginalMessage());
    }
  }
}
