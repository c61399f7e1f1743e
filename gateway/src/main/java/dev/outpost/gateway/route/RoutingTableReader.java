package dev.outpost.gateway.route;

import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;

/** Reads the {@code routes.json} the agent writes, with the spec's validation. */
public final class RoutingTableReader {

  private RoutingTableReader() {}

  /** @throws IllegalArgumentException listing every problem (with its path) when the document is not a valid routing table */
  public static RoutingTable read(String json) {
    try {
      return StateCodec.readRoutingTable(json);
    } catch (InvalidStateException e) {
      throw new IllegalArgumentException("routes.json is not a valid routing table: " + e.getMessage());
    }
  }
}
