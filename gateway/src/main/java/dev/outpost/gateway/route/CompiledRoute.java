package dev.outpost.gateway.route;

import dev.outpost.gateway.telemetry.RouteOwnerAttributes;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteAuth;
import dev.outpost.spec.path.PathNormaliser;
import io.opentelemetry.api.common.Attributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A {@link Route} prepared for matching: its prefix normalised, its hosts split into exact names
 * and wildcard suffixes, its methods as a set. Immutable.
 */
public final class CompiledRoute {

  static final int NO_MATCH = -1;
  /** An exact host's rank, above any wildcard's (one more than its suffix's length, at most 254). */
  private static final int EXACT_HOST = 300;

  private final Route route;
  private final String prefix;
  private final List<String> exactHosts = new ArrayList<>();
  private final List<String> wildcardSuffixes = new ArrayList<>();
  private final Set<String> methods;
  /**
   * Whether it takes {@code HEAD} for the {@code GET} it lists (RFC 9110 9.3.2, nginx's {@code
   * limit_except GET}): the runtime answers a HEAD with its GET route, so a HEAD that fell to another
   * route, say a public one, ran a GET its own route guards with a token and a scope.
   */
  private final boolean headForGet;
  private final Attributes ownerAttributes;
  private final String credentialHeader;

  CompiledRoute(Route route) {
    this.route = route;
    String p = PathNormaliser.normalise(route.match().pathPrefix());
    this.prefix = p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    for (String host : route.match().hosts()) {
      String h = host.toLowerCase(Locale.ROOT);
      if (h.startsWith("*.")) {
        wildcardSuffixes.add(h.substring(1));
      } else {
        exactHosts.add(h);
      }
    }
    this.methods = Set.copyOf(route.match().methods());
    this.headForGet = methods.contains("GET") && !methods.contains("HEAD");
    this.ownerAttributes = RouteOwnerAttributes.of(route);
    this.credentialHeader = credentialHeader(route.auth());
  }

  private static String credentialHeader(RouteAuth auth) {
    if (auth == null || auth.mode() == RouteAuth.Mode.PUBLIC) {
      return null;
    }
    if (auth.mode() == RouteAuth.Mode.JWT) {
      return auth.jwt().forwardToken() ? null : "Authorization";
    }
    return auth.apiKey().headerName();
  }

  public Route route() {
    return route;
  }

  /** The telemetry attributes every span and access record of this route's exchanges carries. */
  public Attributes ownerAttributes() {
    return ownerAttributes;
  }

  /**
   * The header whose credential the integration does not receive: the API key's, or the bearer
   * token's unless the route forwards it; null for a public route.
   */
  public String credentialHeader() {
    return credentialHeader;
  }

  public String id() {
    return route.id();
  }

  /** The normalised prefix, without a trailing slash unless it is {@code /}. */
  public String prefix() {
    return prefix;
  }

  /**
   * How specifically this route takes the request: {@link #NO_MATCH}, else a score where an exact
   * host beats a wildcard one, a longer wildcard beats a shorter one (as nginx's {@code server_name}
   * and Envoy's virtual hosts rank them) and any host match beats none; then a longer prefix wins,
   * then a method the route lists beats a {@code HEAD} it takes for its {@code GET}, which beats none
   * (a route that lists {@code HEAD} itself keeps it, whichever is listed first).
   */
  int score(String host, String method, String path) {
    int hostRank = hostRank(host);
    if (hostRank == NO_MATCH || !matchesPath(path)) {
      return NO_MATCH;
    }
    int methodRank;
    if (methods.isEmpty()) {
      methodRank = 0;
    } else if (methods.contains(method)) {
      methodRank = 2;
    } else if (headForGet && method.equals("HEAD")) {
      methodRank = 1;
    } else {
      return NO_MATCH;
    }
    return hostRank * 1_000_000 + prefix.length() * 3 + methodRank;
  }

  private int hostRank(String host) {
    if (exactHosts.isEmpty() && wildcardSuffixes.isEmpty()) {
      return 0;
    }
    if (host == null) {
      return NO_MATCH;
    }
    if (exactHosts.contains(host)) {
      return EXACT_HOST;
    }
    int rank = NO_MATCH;
    for (String suffix : wildcardSuffixes) {
      if (host.endsWith(suffix) && host.length() > suffix.length()) {
        rank = Math.max(rank, 1 + suffix.length());
      }
    }
    return rank;
  }

  private boolean matchesPath(String path) {
    if (prefix.equals("/")) {
      return true;
    }
    return path.startsWith(prefix)
        && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
  }

  /** The prefix the upstream does not see ({@code X-Forwarded-Prefix}), or null when none is stripped. */
  public String strippedPrefix() {
    return !route.stripPrefix() || prefix.equals("/") ? null : prefix;
  }

  /** The path the upstream receives for the normalised request {@code path}. */
  public String upstreamPath(String path) {
    if (!route.stripPrefix() || prefix.equals("/")) {
      return path;
    }
    String rest = path.substring(prefix.length());
    return rest.isEmpty() ? "/" : rest;
  }
}
