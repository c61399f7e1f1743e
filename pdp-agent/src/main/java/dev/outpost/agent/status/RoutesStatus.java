package dev.outpost.agent.status;

/**
 * What the gateway serves.
 *
 * @param revision the revision of the routing table it loaded; -1 when it cannot be asked
 * @param routes how many routes it serves; -1 when it cannot be asked
 */
public record RoutesStatus(long revision, int routes) {
  public static final RoutesStatus UNKNOWN = new RoutesStatus(-1, -1);
}
