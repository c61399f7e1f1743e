package dev.outpost.observability.jaeger;

import jakarta.ws.rs.core.MultivaluedMap;

/**
 * The parameters of a Jaeger v3 search, by the names Jaeger takes first ({@code query.serviceName},
 * proto3 JSON's camelCase: Jaeger UI's) or, failing those, its older snake_case ones
 * ({@code query.service_name}: Grafana's). {@code query.num_traces} is the older name of
 * {@code query.searchDepth}. Each value says by which name it came, for the 400 that names it.
 */
record V3SearchParams(Param service, Param operation, Param startMin, Param startMax, Param durationMin,
    Param durationMax, Param depth, Param attributes) {

  /** A parameter's value (null when absent) and the name it was given by. */
  record Param(String name, String value) {}

  static V3SearchParams of(MultivaluedMap<String, String> query) {
    return new V3SearchParams(
        either(query, "query.serviceName", "query.service_name"),
        either(query, "query.operationName", "query.operation_name"),
        either(query, "query.startTimeMin", "query.start_time_min"),
        either(query, "query.startTimeMax", "query.start_time_max"),
        either(query, "query.durationMin", "query.duration_min"),
        either(query, "query.durationMax", "query.duration_max"),
        either(query, "query.searchDepth", "query.search_depth", "query.num_traces"),
        either(query, "query.attributes"));
  }

  /** The first of {@code names} given a value that is not empty, as Jaeger reads them. */
  private static Param either(MultivaluedMap<String, String> query, String... names) {
    for (String name : names) {
      String value = query.getFirst(name);
      if (value != null && !value.isEmpty()) {
        return new Param(name, value);
      }
    }
    return new Param(names[0], null);
  }
}
