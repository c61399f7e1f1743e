package dev.outpost.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.gateway.support.TestRoutes;
import dev.outpost.spec.model.RouteAuth;
import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.model.RoutingTable;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ActiveRoutesTest {

  private final ActiveRoutes routes = new ActiveRoutes(new RoutingTable(7, List.of(), List.of(
      TestRoutes.publicRoute("root", "/", false),
      TestRoutes.publicRoute("orders", "/orders", true),
      TestRoutes.publicRoute("orders-items", "/orders/items/", false),
      TestRoutes.route("orders-post", new RouteMatch("/orders", List.of(), List.of("POST")), false, RouteAuth.anonymous(), null, null),
      // a GET route takes HEAD too, before a route of no methods; a route listing HEAD itself keeps it
      TestRoutes.route("report-get", new RouteMatch("/report", List.of(), List.of("GET")), false, RouteAuth.anonymous(), null, null),
      TestRoutes.route("report-head", new RouteMatch("/report", List.of(), List.of("HEAD")), false, RouteAuth.anonymous(), null, null),
      TestRoutes.route("export-any", new RouteMatch("/export", List.of(), List.of()), false, RouteAuth.anonymous(), null, null),
      TestRoutes.route("export-get", new RouteMatch("/export", List.of(), List.of("GET")), false, RouteAuth.anonymous(), null, null),
      TestRoutes.route("host", new RouteMatch("/", List.of("api.example.com"), List.of()), false, RouteAuth.anonymous(), null, null),
      TestRoutes.route("wild", new RouteMatch("/orders", List.of("*.example.org"), List.of()), false, RouteAuth.anonymous(), null, null),
      // a longer wildcard is more specific than a longer prefix of a shorter one, whichever is listed first
      TestRoutes.route("wild-v1", new RouteMatch("/v1", List.of("*.example.net"), List.of()), false, RouteAuth.anonymous(), null, null),
      TestRoutes.route("wild-api", new RouteMatch("/", List.of("*.api.example.net"), List.of()), false, RouteAuth.anonymous(), null, null),
      TestRoutes.route("exact-api", new RouteMatch("/", List.of("t.api.example.net"), List.of()), false, RouteAuth.anonymous(), null, null),
      TestRoutes.route("two-wild", new RouteMatch("/", List.of("*.example.com", "*.eu.example.com"), List.of()), false, RouteAuth.anonymous(), null, null),
      TestRoutes.route("wild-orders", new RouteMatch("/orders", List.of("*.example.com"), List.of()), false, RouteAuth.anonymous(), null, null))));

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "-|GET|/|root",
      "-|GET|/ordersX|root",
      "-|GET|/orders|orders",
      "-|GET|/orders/1|orders",
      "-|POST|/orders/1|orders-post",
      "-|GET|/report|report-get",
      "-|HEAD|/report|report-head",
      "-|HEAD|/export/x|export-get",
      "-|DELETE|/export/x|export-any",
      "-|GET|/orders/items|orders-items",
      "-|GET|/orders/items/9|orders-items",
      "api.example.com|GET|/orders/1|host",
      "a.example.org|GET|/orders/1|wild",
      "example.org|GET|/orders/1|orders",
      "a.example.org|GET|/other|root",
      "x.api.example.net|GET|/v1/x|wild-api",
      "t.api.example.net|GET|/v1/x|exact-api",
      "x.example.net|GET|/v1/x|wild-v1",
      "a.eu.example.com|GET|/orders|two-wild",
      "a.us.example.com|GET|/orders|wild-orders",
  })
  void mostSpecificRouteWins(String host, String method, String path, String expected) {
    assertThat(routes.match(host, method, path).id()).isEqualTo(expected);
  }

  @Test
  void stripPrefixLeavesTheRestOfThePath() {
    CompiledRoute orders = routes.match(null, "GET", "/orders");
    assertThat(orders.upstreamPath("/orders")).isEqualTo("/");
    assertThat(orders.upstreamPath("/orders/1/x")).isEqualTo("/1/x");
  }

  @Test
  void noRouteMeansNull() {
    ActiveRoutes only = new ActiveRoutes(new RoutingTable(1, List.of(), List.of(TestRoutes.publicRoute("a", "/a", false))));
    assertThat(only.match(null, "GET", "/b")).isNull();
    assertThat(only.revision()).isEqualTo(1);
  }

  @Test
  void aBadPrefixIsRefusedWithTheRouteNamed() {
    assertThatThrownBy(() -> new ActiveRoutes(new RoutingTable(1, List.of(), List.of(TestRoutes.publicRoute("bad", "/a/%2f", false)))))
        .hasMessageContaining("route bad: match.pathPrefix");
  }
}
