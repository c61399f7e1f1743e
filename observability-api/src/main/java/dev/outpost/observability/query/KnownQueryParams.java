package dev.outpost.observability.query;

import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses, with a 400 naming it, a query parameter that an endpoint of a {@link StrictQueryParams}
 * resource does not take, or one given twice. Ignored, a filter meant for another endpoint
 * ({@code service} on the logs, which the traces take) or another API's name (Loki's {@code start},
 * {@code end}) answered records unfiltered with a 200, and the second value of a parameter was
 * dropped without a word. The parameters are the method's {@code @RestQuery} ones, read once.
 * Jaeger's API is not strict: Jaeger ignores what it does not know, and Jaeger UI sends more.
 */
public class KnownQueryParams {

  /** What an endpoint takes: names, and a prefix of more ("" for none). */
  private record Taken(Set<String> names, String prefix) {}

  private final ConcurrentMap<Method, Taken> taken = new ConcurrentHashMap<>();

  @ServerRequestFilter
  public void check(UriInfo uri, ResourceInfo resource) {
    Method method = resource.getResourceMethod();
    if (method == null || !resource.getResourceClass().isAnnotationPresent(StrictQueryParams.class)) {
      return;
    }
    Taken endpoint = taken.computeIfAbsent(method, KnownQueryParams::of);
    for (Map.Entry<String, List<String>> param : uri.getQueryParameters().entrySet()) {
      String name = param.getKey();
      boolean known = endpoint.names().contains(name)
          || (!endpoint.prefix().isEmpty() && name.startsWith(endpoint.prefix()) && name.length() > endpoint.prefix().length());
      if (!known) {
        throw ApiException.badRequest("unknown parameter '" + name + "': this endpoint takes "
            + String.join(", ", endpoint.names()) + (endpoint.prefix().isEmpty() ? "" : ", " + endpoint.prefix() + "<key>"));
      }
      if (param.getValue().size() > 1) {
        throw ApiException.badRequest("parameter '" + name + "' given twice or more; it takes one value");
      }
    }
  }

  private static Taken of(Method method) {
    Set<String> names = new LinkedHashSet<>();
    for (Parameter parameter : method.getParameters()) {
      RestQuery query = parameter.getAnnotation(RestQuery.class);
      if (query != null) {
        names.add(query.value().isEmpty() ? parameter.getName() : query.value());
      }
    }
    StrictQueryParams strict = method.getAnnotation(StrictQueryParams.class);
    return new Taken(names, strict == null ? "" : strict.prefix());
  }
}
