package dev.outpost.runtime.deploy;

import dev.outpost.runtime.dispatch.HttpEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteBuilderLifecycleStrategy;
import org.apache.camel.ErrorHandlerFactory;
import org.apache.camel.model.DynamicRouterDefinition;
import org.apache.camel.model.EnrichDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.InterceptFromDefinition;
import org.apache.camel.model.PollEnrichDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RecipientListDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RoutesDefinition;
import org.apache.camel.model.RoutingSlipDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.errorhandler.DeadLetterChannelDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
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
 *   <li>{@code direct:}, {@code seda:} and {@code timer:} names become {@code <key>.<name>}: in
 *       from, to, toD and wireTap, a route's dead letter channel, and the constant or simple
 *       expressions of enrich, pollEnrich, recipientList, routingSlip and dynamicRouter, in the
 *       routes and in the file's own onException, onCompletion and intercepts (and the endpoints
 *       interceptFrom matches).
 * </ul>
 *
 * Camel hands the same definition to several routes (a file's onException to each of its routes, its
 * dead letter channel to each route without one): each is renamed once, or {@code direct:oops}
 * became {@code direct:<key>.<key>.oops}, which nothing consumes.
 *
 * Before anything is added, {@link Checks#verify} may reject the result (path conflicts).
 */
final class RouteNamespacer implements RouteBuilderLifecycleStrategy {

  /** What the deployer checks before the routes are created. */
  interface Checks {
    void verify(RouteNamespacer namespaced) throws DeployException;
  }

  private static final List<String> LOCAL_SCHEMES = List.of("direct", "seda", "timer");
  /** Components whose consumers listen on the runtime's shared HTTP router. */
  private static final Set<String> LISTENING = Set.of("platform-http", "rest", "rest-api");
  private static final String METHOD_RESTRICT = "httpMethodRestrict=";
  private static final String REQUEST_TIMEOUT = "requestTimeout=";
  private static final String MATCH_ON_URI_PREFIX = "matchOnUriPrefix=";

  private final String key;
  private final String prefix;
  private final Checks checks;
  private final Set<String> routeIds = new LinkedHashSet<>();
  private final List<HttpEndpoint> endpoints = new ArrayList<>();
  /** Definitions already renamed, by identity: Camel shares some between routes. */
  private final Set<Object> renamed = Collections.newSetFromMap(new IdentityHashMap<>());
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
      RoutesDefinition routes = builder.getRouteCollection();
      startInOrder(routes.getRoutes());
      for (RouteDefinition route : routes.getRoutes()) {
        namespaceRoute(route, builder.getContext());
      }
      namespaceFileWide(routes);
      checks.verify(this);
    } catch (DeployException e) {
      throw new NamespaceRejected(e);
    }
  }

  /**
   * A route's {@code startupOrder} becomes its place among the file's routes, which start in the
   * order they are added: Camel wants each number unique in the whole context, so a version clashed
   * with the one it replaces (both run during the upgrade) and with any other integration choosing the
   * same number, and could never be deployed. Numbered routes first, by number, then the others.
   */
  private static void startInOrder(List<RouteDefinition> routes) {
    routes.sort(Comparator.comparing(RouteDefinition::getStartupOrder, Comparator.nullsLast(Comparator.naturalOrder())));
    routes.forEach(route -> route.setStartupOrder(null));
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
    FromDefinition from = route.getInput();
    if (from == null) {
      // Camel's YAML DSL takes such a route, and the first step to read it threw a NullPointerException
      throw new DeployException("route " + (route.getRouteId() == null ? "" : route.getRouteId() + " ")
          + "has no from: a route starts with the endpoint it consumes (from: {uri: ..., steps: [...]})");
    }
    route.setId(internalId(route.getRouteId()));
    String uri = from.getUri();
    if (uri != null) {
      writtenScheme("from", uri);
    }
    if (uri != null && uri.startsWith("platform-http:")) {
      from.setUri(platformHttp(uri, camel));
    } else if (uri != null && uri.startsWith("rest:")) {
      from.setUri(restConsumer(uri, camel));
    } else if (uri != null && LOCAL_SCHEMES.stream().anyMatch(scheme -> uri.startsWith(scheme + ":"))) {
      from.setUri(localName(uri));
    } else if (uri != null) {
      // another component's consumer is not namespaced: rest-api's registered a catch-all GET route
      // on the shared router, which answered every other integration's GET requests
      throw new DeployException("from '" + uri + "': a route starts from platform-http, rest, direct, seda or timer;"
          + " a consumer of another component could take other integrations' requests");
    }
    namespaceOutputs(route.getOutputs());
    namespaceDeadLetterChannel(route);
  }

  /** The endpoints that sends, dynamic sends and endpoint expressions among {@code outputs} name, each once. */
  private void namespaceOutputs(List<ProcessorDefinition<?>> outputs) {
    for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(outputs, SendDefinition.class)) {
      if (send.getUri() != null && renamed.add(send)) {
        send.setUri(localName(send.getUri()));
      }
    }
    for (ToDynamicDefinition send : ProcessorDefinitionHelper.filterTypeInOutputs(outputs, ToDynamicDefinition.class)) {
      if (send.getUri() != null && renamed.add(send)) {
        send.setUri(localName(send.getUri()));
      }
    }
    for (ExpressionNode node : ProcessorDefinitionHelper.filterTypeInOutputs(outputs, ExpressionNode.class)) {
      if (renamed.add(node)) {
        namespaceEndpointExpression(node);
      }
    }
  }

  /**
   * The file's onException, onCompletion and intercepts, which apply to each of its routes: whether
   * Camel has put them among a route's outputs yet or not, their endpoints are the version's. So are
   * the endpoints interceptFrom matches ({@code direct:x} would otherwise match nothing any more).
   * (interceptSendToEndpoint is refused: {@link ContextWideElements}.)
   */
  private void namespaceFileWide(RoutesDefinition routes) {
    List<ProcessorDefinition<?>> fileWide = new ArrayList<>();
    fileWide.addAll(routes.getOnExceptions());
    fileWide.addAll(routes.getOnCompletions());
    fileWide.addAll(routes.getIntercepts());
    fileWide.addAll(routes.getInterceptFroms());
    for (ProcessorDefinition<?> definition : fileWide) {
      namespaceOutputs(definition.getOutputs());
      if (definition instanceof InterceptFromDefinition from && from.getUri() != null && renamed.add(from)) {
        from.setUri(localName(from.getUri()));
      }
    }
  }

  /** A route's own dead letter channel ({@code errorHandler: deadLetterChannel: deadLetterUri: direct:dlq}). */
  private void namespaceDeadLetterChannel(RouteDefinition route) {
    ErrorHandlerFactory handler = route.getErrorHandler() != null ? route.getErrorHandler().getErrorHandlerType()
        : route.isErrorHandlerFactorySet() ? route.getErrorHandlerFactory() : null;
    // one handler may be every route's (Camel hands a file's to each route that has none): renamed once
    if (handler instanceof DeadLetterChannelDefinition dlc && dlc.getDeadLetterUri() != null && renamed.add(dlc)) {
      dlc.setDeadLetterUri(localName(dlc.getDeadLetterUri()));
    }
  }

  /**
   * The endpoints of enrich, pollEnrich, recipientList, routingSlip and dynamicRouter, when written
   * as a {@code constant} or {@code simple} expression: each URI of the list that names a local
   * endpoint ({@code direct:extra}, {@code direct:${header.next}}) gets the version's name. One built
   * by a placeholder or another language cannot be seen before it runs, and is left as written.
   */
  private void namespaceEndpointExpression(ExpressionNode node) {
    String separator; // between the URIs of a list; null for one URI
    if (node instanceof RecipientListDefinition<?> list) {
      separator = orComma(list.getDelimiter());
    } else if (node instanceof RoutingSlipDefinition<?> slip) {
      separator = orComma(slip.getUriDelimiter());
    } else if (node instanceof DynamicRouterDefinition<?> router) {
      separator = orComma(router.getUriDelimiter());
    } else if (node instanceof EnrichDefinition || node instanceof PollEnrichDefinition) {
      separator = null;
    } else {
      return;
    }
    ExpressionDefinition expression = node.getExpressionType();
    boolean readable = expression != null && expression.getExpression() != null
        && List.of("constant", "simple").contains(expression.getLanguage());
    if (node instanceof PollEnrichDefinition && !readable) {
      throw new NamespaceRejected(new DeployException("pollEnrich: its endpoint must be a constant or simple uri"
          + " (it makes a consumer, which must not listen where other integrations are served)"));
    }
    if (!readable) {
      return;
    }
    String text = expression.getExpression();
    String[] uris = separator == null ? new String[] {text} : text.split(Pattern.quote(separator), -1);
    List<String> renamed = new ArrayList<>(uris.length);
    for (String uri : uris) {
      String trimmed = uri.stripLeading();
      if (node instanceof PollEnrichDefinition) {
        checkPolled(trimmed);
      }
      renamed.add(uri.substring(0, uri.length() - trimmed.length()) + localName(trimmed));
    }
    expression.setExpression(String.join(separator == null ? "" : separator, renamed));
  }

  /**
   * A pollEnrich makes a consumer of its endpoint when it first runs: one of platform-http, rest or
   * rest-api would listen on the shared router at its literal path, past the dispatcher, as an
   * unchecked {@code from} would (rest-api's at every path).
   */
  private static void checkPolled(String uri) {
    String scheme;
    try {
      scheme = writtenScheme("pollEnrich", uri);
    } catch (DeployException e) {
      throw new NamespaceRejected(e);
    }
    if (LISTENING.contains(scheme)) {
      throw new NamespaceRejected(new DeployException("pollEnrich '" + uri + "': a " + scheme
          + " consumer would listen where other integrations are served; poll another endpoint"));
    }
  }

  /** Camel's default delimiter of an endpoint list, a comma, when none is set. */
  private static String orComma(String delimiter) {
    return delimiter == null || delimiter.isEmpty() ? "," : delimiter;
  }


  /**
   * A route's consumer names its component outright, not through a placeholder or an expression:
   * the paths an integration serves are put under its prefix by their scheme, and a platform-http
   * consumer hidden behind {{…}} registered at its literal path, where it answered requests meant
   * for other integrations. (Producers may: {@code to: "{{config.BACKEND_URL}}/orders"} is how a
   * backend is configured.)
   */
  private static String writtenScheme(String what, String uri) throws DeployException {
    int colon = uri.indexOf(':');
    String scheme = colon < 0 ? uri : uri.substring(0, colon);
    if (scheme.contains("{{") || scheme.contains("${") || scheme.contains("$simple{")) {
      throw new DeployException(what + " '" + uri + "': its component must be written out, not a placeholder "
          + "or an expression (a placeholder may stand for the rest of the uri)");
    }
    return scheme;
  }

  /**
   * {@code <key>.<id>}: ids are the integration's own (another may use the same), as in Camel K, where
   * each integration runs alone; Camel still wants them unique within the integration.
   */
  private String internalId(String userId) {
    String id = userId == null || userId.isBlank() ? "route-" + (++unnamed) : userId;
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
    Set<String> methods = new HashSet<>();
    for (String option : options) {
      if (option.startsWith(METHOD_RESTRICT)) {
        // resolved as Camel resolves it: the literal "{{config.METHODS}}" matched no request
        Arrays.stream(resolved(uri, option.substring(METHOD_RESTRICT.length()), camel).split(","))
            .map(m -> m.trim().toUpperCase(Locale.ROOT)).forEach(methods::add);
      }
    }
    Duration timeout = null;
    for (String option : options) {
      if (option.startsWith(REQUEST_TIMEOUT)) {
        timeout = requestTimeout(path, option.substring(REQUEST_TIMEOUT.length()), camel);
      }
    }
    List<String> kept = options.stream().filter(o -> !o.startsWith(REQUEST_TIMEOUT)).toList();
    // Camel serves every path under such an endpoint's (Vert.x route "<path>*"); the dispatcher must
    // send them all, not the exact path alone
    boolean prefixMatch = false;
    for (String option : options) {
      if (option.regionMatches(true, 0, MATCH_ON_URI_PREFIX, 0, MATCH_ON_URI_PREFIX.length())) {
        prefixMatch = resolved(uri, option.substring(MATCH_ON_URI_PREFIX.length()), camel).trim().equalsIgnoreCase("true");
      }
    }
    HttpEndpoint exact = new HttpEndpoint(path, methods, timeout);
    HttpEndpoint endpoint = prefixMatch && !exact.path().endsWith("*")
        ? new HttpEndpoint(exact.path() + "/*", methods, timeout) : exact;
    endpoints.add(endpoint);
    return "platform-http:" + prefix + exact.path() + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }

  /**
   * A path or option with its placeholders resolved ({@code platform-http:{{config.PATH}}}), as Camel would
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
      // Camel takes rest:get::orders as the path /orders: it would be served outside the prefix
      throw new DeployException("from '" + uri + "': a rest uri names its path (rest:<method>:<path>[:<template>])");
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
