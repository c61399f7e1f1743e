package dev.outpost.gateway.route;

import io.vertx.ext.web.RoutingContext;

/**
 * What {@link RouteMatchHandler} found for a request, kept on the routing context for the later
 * handlers.
 *
 * @param route the route taken
 * @param revision the routing table revision it came from
 * @param path the normalised request path it was matched on
 * @param upstreamPath the path the upstream receives
 * @param query the query string as received (without {@code ?} and without a fragment), or null
 */
public record MatchedRoute(CompiledRoute route, long revision, String path, String upstreamPath, String query) {

  static final String KEY = "outpost.route";

  /** The route matched for this exchange; set for every exchange past the matching step. */
  public static MatchedRoute of(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
