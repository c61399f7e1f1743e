package dev.outpost.runtime.deploy;

import dev.outpost.runtime.dispatch.HttpEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteBuilderLifecycleStrategy;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;

/**
 * Gives one integration version its own names inside the shared {@code CamelContext}, after Camel
 * parsed its YAML and before any route is created, so that two versions of one integration can run
 * side by side during an upgrade and integrations cannot collide:
 *
 * <ul>
 *   <li>route ids become {@code <key>.<id>} (routes without an id get {@code <key>.route-N});
 *   <li>{@code platform-http}, {@code rest:} consumer and REST DSL paths move under the version's
 *       internal prefix, and the public paths (with a {@code platform-http} endpoint's
 *       {@code requestTimeout}) are recorded for the {@link dev.outpost.runtime.dispatch.HttpDispatcher};
 *   <li>{@code direct:}, {@code seda:} and {@code timer:} names become {@code <key>.<name>}.
 * </ul>
 *
 * Before anything is added, {@link Checks#verify} may reject the result (id or path conflicts).
 */
final class RouteNamespacer implements RouteBuilderLifecycleStrategy {

  /** What the deployer checks before the routes are created. */
  interface Checks {
    void verify(RouteNamespacer namespaced) throws DeployException;
  }

  private static final List<String> LOCAL_SCHEMES = List.of("direct", "seda", "timer");
  private static final String METHOD_RESTRICT = "httpMethodRestrict=";
  private static final String REQUEST_TIMEOUT = "requestTimeout=";
  private static final String MATCH_ON_URI_PREFIX = "matchOnUriPrefix=";

  private final String key;
  private final String prefix;
  private final Checks checks;
  private final Set<String> routeIds = new LinkedHashSet<>();
  private final Set<String> userRouteIds = new LinkedHashSet<>();
  private final List<HttpEndpoint> endpoints = new ArrayList<>();
  private int unnamed;

  RouteNamespacer(String key, String prefix, Checks checks) {
    this.key = key;
    this.prefix = prefix;
    this.checks = checks;
  }

  @Override
  public void afterConfigure(RouteBuilder builder) {
    try {
      for (RestDefinition rest : builder.getRestCollection().getRests()) {
        namespaceRest(rest, builder.getContext());
      }
      for (RouteDefinition route : builder.getRouteCollection().getRoutes()) {
        namespaceRoute(route, builder.getContext());
      }
      checks.verify(this);
    } catch (DeployException e) {
      throw new NamespaceRejected(e);
    }
  }

  private void namespaceRest(RestDefinition rest, CamelContext camel) throws DeployException {
    String base = rest.getPath() == null ? "" : resolved("rest " + rest.getPath(), rest.getPath(), camel);
    for (VerbDefinition verb : rest.getVerbs()) {
      if (verb.getPath() != null) {
        verb.setPath(resolved("rest " + base + " " + verb.getPath(), verb.getPath(), camel));
      }
      String path = base + (verb.getPath() == null ? "" : "/" + verb.getPath());
      endpoints.add(new HttpEndpoint(path, Set.of(verb.asVerb().toUpperCase(Locale.ROOT))));
      verb.setRouteId(internalId(verb.getRouteId()));
      if (verb.getTo() != null) {
        verb.getTo().setUri(localName(verb.getTo().getUri()));
      }
    }
    rest.setPath(prefix + (base.startsWith("/") ? base : "/" + base));
  }

  private void namespaceRoute(RouteDefinition route, CamelContext camel) throws DeployException {
    route.setId(internalId(route.getRouteId()));
    FromDefinition from = route.getInput();
    String uri = from.getUri();
    requireWrittenScheme(uri);
    if (uri != null && uri.startsWith("platform-http:")) {
      from.setUri(platformHttp(uri, camel));
    } else if (uri != null && uri.startsWith("rest:")) {
      from.setUri(restConsumer(uri, camel));
    } else if (uri != null) {
      from.setUri(localName(uri));
    }
    for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), SendDefinition.class)) {
      if (send.getUri() != null) {
        send.setUri(localName(send.getUri()));
      }
    }
    for (ToDynamicDefinition send : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDynamicDefinition.class)) {
      if (send.getUri() != null) {
        send.setUri(localName(send.getUri()));
      }
    }
  }

  /**
   * A route's consumer names its component outright, not through a placeholder or an expression:
   * the paths an integration serves are put under its prefix by their scheme, and a platform-http
   * consumer hidden behind {{…}} registered at its literal path, where it answered requests meant
   * for other integrations. (Producers may: {@code to: "{{config.BACKEND_URL}}/orders"} is how a
   * backend is configured.)
   */
  private static void requireWrittenScheme(String uri) throws DeployException {
    if (uri == null) {
      return;
    }
    int colon = uri.indexOf(':');
    String scheme = colon < 0 ? uri : uri.substring(0, colon);
    if (scheme.contains("{{") || scheme.contains("${") || scheme.contains("$simple{")) {
      throw new DeployException("from '" + uri + "': its component must be written out, not a placeholder "
          + "or an expression (a placeholder may stand for the rest of the uri)");
    }
  }

  private String internalId(String userId) {
    boolean unnamedRoute = userId == null || userId.isBlank();
    String id = unnamedRoute ? "route-" + (++unnamed) : userId;
    if (!unnamedRoute) {
      // only ids an author chose can clash with another integration's
      userRouteIds.add(id);
    }
    String internal = key + "." + id;
    routeIds.add(internal);
    return internal;
  }

  /**
   * {@code platform-http:/orders?httpMethodRestrict=GET} → under the prefix, public path recorded.
   * Camel's {@code requestTimeout} option is taken out and kept for the dispatcher, which times the
   * endpoint's requests out by it: left in, Vert.x would also answer them 503 at that moment.
   */
  private String platformHttp(String uri, CamelContext camel) throws DeployException {
    String rest = uri.substring("platform-http:".length());
    int q = rest.indexOf('?');
    String path = resolved(uri, q < 0 ? rest : rest.substring(0, q), camel).replaceFirst("^/+", "/");
    List<String> options = q < 0 ? List.of()
        : Arrays.stream(rest.substring(q + 1).split("&")).filter(o -> !o.isEmpty()).toList();
    Set<String> methods = options.stream()
        .filter(o -> o.startsWith(METHOD_RESTRICT))
        .flatMap(o -> Arrays.stream(o.substring(METHOD_RESTRICT.length()).split(",")))
        .map(m -> m.trim().toUpperCase(Locale.ROOT))
        .collect(Collectors.toSet());
    Duration timeout = null;
    for (String option : options) {
      if (option.startsWith(REQUEST_TIMEOUT)) {
        timeout = requestTimeout(path, option.substring(REQUEST_TIMEOUT.length()), camel);
      }
    }
    List<String> kept = options.stream().filter(o -> !o.startsWith(REQUEST_TIMEOUT)).toList();
    // Camel serves every path under such an endpoint's (Vert.x route "<path>*"); the dispatcher must
    // send them all, not the exact path alone
    boolean prefixMatch = options.stream().anyMatch(o -> o.equalsIgnoreCase(MATCH_ON_URI_PREFIX + "true"));
    HttpEndpoint exact = new HttpEndpoint(path, methods, timeout);
    HttpEndpoint endpoint = prefixMatch && !exact.path().endsWith("*")
        ? new HttpEndpoint(exact.path() + "/*", methods, timeout) : exact;
    endpoints.add(endpoint);
    return "platform-http:" + prefix + exact.path() + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }

  /**
   * A path with its placeholders resolved ({@code platform-http:{{config.PATH}}}), as Camel would
   * resolve it for the consumer: the dispatcher must record the path served, not its text, which it
   * read as one {@code {param}} segment matching every one-segment path.
   */
  private static String resolved(String where, String path, CamelContext camel) throws DeployException {
    if (!path.contains("{{")) {
      return path;
    }
    try {
      return camel.resolvePropertyPlaceholders(path);
    } catch (RuntimeException e) {
      throw new DeployException(where + ": its path's placeholder cannot be resolved: " + e.getMessage());
    }
  }

  private static Duration requestTimeout(String path, String written, CamelContext camel) throws DeployException {
    try {
      long millis = Long.parseLong(camel.resolvePropertyPlaceholders(written).trim());
      if (millis > 0) {
        return Duration.ofMillis(millis);
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    // the value as written: a placeholder may stand for a secret
    throw new DeployException("platform-http:" + path + ": requestTimeout must be a positive number of "
        + "milliseconds, not '" + written + "'");
  }

  /**
   * {@code rest:get:/orders:{id}?x} → under the prefix, public path recorded. The rest component
   * serves through platform-http too: left as written, the route would answer on the public path
   * itself, past the dispatcher and the conflict checks.
   */
  private String restConsumer(String uri, CamelContext camel) throws DeployException {
    String rest = uri.substring("rest:".length()).replaceFirst("^//", "");
    int q = rest.indexOf('?');
    String query = q < 0 ? "" : rest.substring(q);
    // resolved before it is cut at its colons: {{env:X}} holds one
    String[] parts = resolved(uri, q < 0 ? rest : rest.substring(0, q), camel).split(":", 3);
    if (parts.length < 2 || parts[1].isBlank()) {
      return uri; // Camel rejects it with its own message
    }
    String method = parts[0];
    String template = parts.length == 3 ? parts[2] : "";
    String path = new HttpEndpoint(parts[1], Set.of()).path();
    endpoints.add(new HttpEndpoint(template.isEmpty() ? path : path + "/" + template,
        Set.of(method.toUpperCase(Locale.ROOT))));
    return "rest:" + method + ":" + prefix + path + (template.isEmpty() ? "" : ":" + template) + query;
  }

  /** {@code direct:x} → {@code direct:<key>.x}; other URIs unchanged. */
  private String localName(String uri) {
    for (String scheme : LOCAL_SCHEMES) {
      if (uri.startsWith(scheme + ":")) {
        String name = uri.substring(scheme.length() + 1).replaceFirst("^//", "");
        return scheme + ":" + key + "." + name;
      }
    }
    return uri;
  }

  /** The Camel route ids this version defines. */
  Set<String> routeIds() {
    return routeIds;
  }

  /** The route ids as the integration's author wrote them. */
  Set<String> userRouteIds() {
    return userRouteIds;
  }

  /** The public HTTP endpoints this version serves. */
  List<HttpEndpoint> endpoints() {
    return endpoints;
  }

  /** Carries a {@link DeployException} through Camel's builder, which only lets unchecked ones out. */
  static final class NamespaceRejected extends RuntimeException {
    NamespaceRejected(DeployException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
