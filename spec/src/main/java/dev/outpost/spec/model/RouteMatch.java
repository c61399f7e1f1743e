package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Which requests a route takes. The most specific match wins: a host match beats none, then the
 * longest path prefix, then a method match beats none.
 *
 * @param pathPrefix a normalised path prefix starting with {@code /}; matches whole segments
 *     ({@code /orders} matches {@code /orders} and {@code /orders/1}, not {@code /ordersX})
 * @param hosts host names ({@code api.example.com}, or {@code *.example.com}); empty means any
 * @param methods upper-case HTTP methods; empty means any
 */
@JsonPropertyOrder({"pathPrefix", "hosts", "methods"})
public record RouteMatch(String pathPrefix, List<String> hosts, List<String> methods) {
  public RouteMatch {
    hosts = hosts == null ? List.of() : List.copyOf(hosts);
    methods = methods == null ? List.of() : List.copyOf(methods);
  }
}
