package dev.outpost.spec.state;

import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.IdentityProvider;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.Telemetry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The semantic rules of the model: value ranges, naming, cross-references, uniqueness and "no
 * secret values". Returns every violation, in document order; an empty list means valid. Works on
 * records that {@link StateTreeReader} produced without structural problems.
 */
public final class StateValidator {
  static final int MAX_RETENTION_DAYS = 365;
  /**
   * Most integrations one data plane runs: each is a Deployment, a Service and ConfigMaps, and its
   * ingest token an entry of one Secret, which the API server refuses past 1 MiB (some 6,000 tokens).
   */
  public static final int MAX_INTEGRATIONS = 1000;

  private StateValidator() {}

  public static List<Violation> validate(DataPlaneState state) {
    Problems problems = new Problems();
    if (state.apiVersion() != null && !DataPlaneState.API_VERSION.equals(state.apiVersion())) {
      problems.add("apiVersion", "must be \"" + DataPlaneState.API_VERSION + "\"");
    }
    checkRevision(state.revision(), problems);
    Names.checkLabel(state.dataPlane(), "dataPlane", problems);
    checkIdentityProviders(state.identityProviders(), problems);
    if (state.integrations().size() > MAX_INTEGRATIONS) {
      problems.add("integrations", "holds " + state.integrations().size() + " integrations, more than the "
          + MAX_INTEGRATIONS + " one data plane runs");
    }
    for (int i = 0; i < state.integrations().size(); i++) {
      IntegrationRules.check(state.integrations().get(i), Problems.index("integrations", i), problems);
      DocumentSizeRules.checkIntegration(state.integrations().get(i), Problems.index("integrations", i), problems);
    }
    checkUnique(state.integrations(), Integration::name, "integrations", "name", problems);
    Map<String, Integration> byName = new HashMap<>();
    state.integrations().forEach(integration -> byName.putIfAbsent(integration.name(), integration));
    checkRoutes(state.routes(), new RouteRules(byName, providerNames(state.identityProviders())), problems);
    DocumentSizeRules.checkRoutingTable(RoutingTable.of(state), problems);
    DocumentSizeRules.checkState(state, problems);
    checkTelemetry(state.telemetry(), "telemetry", problems);
    return problems.all();
  }

  public static List<Violation> validate(RoutingTable table) {
    Problems problems = new Problems();
    checkRevision(table.revision(), problems);
    checkIdentityProviders(table.identityProviders(), problems);
    checkRoutes(table.routes(), new RouteRules(null, providerNames(table.identityProviders())), problems);
    DocumentSizeRules.checkRoutingTable(table, problems);
    return problems.all();
  }

  public static List<Violation> validate(Telemetry telemetry) {
    Problems problems = new Problems();
    checkTelemetry(telemetry, "", problems);
    return problems.all();
  }

  public static List<Violation> validate(Integration integration) {
    Problems problems = new Problems();
    IntegrationRules.check(integration, "", problems);
    DocumentSizeRules.checkIntegration(integration, "", problems);
    return problems.all();
  }

  private static void checkRevision(long revision, Problems problems) {
    if (revision < 1) {
      problems.add("revision", "must be at least 1");
    } else if (revision > CanonicalJson.MAX_SAFE_INTEGER) {
      problems.add("revision", "must be at most " + CanonicalJson.MAX_SAFE_INTEGER + " (2^53 - 1)");
    }
  }

  private static void checkIdentityProviders(List<IdentityProvider> providers, Problems problems) {
    for (int i = 0; i < providers.size(); i++) {
      IdentityProviderRules.check(providers.get(i), Problems.index("identityProviders", i), problems);
    }
    checkUnique(providers, IdentityProvider::name, "identityProviders", "name", problems);
  }

  private static Set<String> providerNames(List<IdentityProvider> providers) {
    Set<String> names = new HashSet<>();
    providers.forEach(provider -> names.add(provider.name()));
    return names;
  }

  private static void checkRoutes(List<Route> routes, RouteRules rules, Problems problems) {
    for (int i = 0; i < routes.size(); i++) {
      rules.check(routes.get(i), Problems.index("routes", i), problems);
    }
    checkUnique(routes, Route::id, "routes", "id", problems);
    Map<MatchKey, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < routes.size(); i++) {
      RouteMatch match = routes.get(i).match();
      if (match == null || match.pathPrefix() == null) {
        continue;
      }
      Integer first = seen.putIfAbsent(MatchKey.of(match), i);
      if (first != null) {
        problems.add(Problems.field(Problems.index("routes", i), "match"),
            "same match as " + Problems.index("routes", first) + " (path prefix, hosts and methods)");
      }
    }
  }

  private static void checkTelemetry(Telemetry telemetry, String path, Problems problems) {
    if (telemetry.logsRetentionDays() < 1 || telemetry.logsRetentionDays() > MAX_RETENTION_DAYS) {
      problems.add(Problems.field(path, "logsRetentionDays"), "must be between 1 and " + MAX_RETENTION_DAYS);
    }
    if (telemetry.tracesRetentionDays() < 1 || telemetry.tracesRetentionDays() > MAX_RETENTION_DAYS) {
      problems.add(Problems.field(path, "tracesRetentionDays"), "must be between 1 and " + MAX_RETENTION_DAYS);
    }
  }

  private static <T> void checkUnique(
      List<T> items, Function<T, String> key, String listPath, String field, Problems problems) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String value = key.apply(items.get(i));
      if (value == null) {
        continue;
      }
      Integer first = seen.putIfAbsent(value, i);
      if (first != null) {
        problems.add(Problems.field(Problems.index(listPath, i), field),
            "duplicate " + field + " \"" + value + "\" (already used by " + Problems.index(listPath, first) + ")");
      }
    }
  }

  /** Two matches are the same when prefix, host set and method set are equal. */
  private record MatchKey(String pathPrefix, Set<String> hosts, Set<String> methods) {
    static MatchKey of(RouteMatch match) {
      return new MatchKey(MatchRules.asMatched(match.pathPrefix()), Set.copyOf(match.hosts()), Set.copyOf(match.methods()));
    }
  }
}
