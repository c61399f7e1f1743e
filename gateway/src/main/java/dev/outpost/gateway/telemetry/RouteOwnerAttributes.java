package dev.outpost.gateway.telemetry;

import dev.outpost.spec.model.Route;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;

/**
 * The owner attributes of a route (ARCHITECTURE.md, "Telemetry attributes") that every span and
 * access record of its exchanges carries: observability-api files a record under its {@code
 * outpost.project} and refuses one without.
 */
public final class RouteOwnerAttributes {

  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("outpost.route");
  static final AttributeKey<String> PROJECT = AttributeKey.stringKey("outpost.project");
  static final AttributeKey<String> INTEGRATION = AttributeKey.stringKey("outpost.integration");

  private RouteOwnerAttributes() {}

  /** Built once per route when a routing table is compiled (CompiledRoute), not per request. */
  public static Attributes of(Route route) {
    AttributesBuilder owner = Attributes.builder().put(ROUTE, route.id()).put(INTEGRATION, route.integration());
    if (route.project() != null) {
      owner.put(PROJECT, route.project());
    }
    return owner.build();
  }
}
