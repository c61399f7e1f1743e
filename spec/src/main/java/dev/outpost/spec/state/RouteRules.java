package dev.outpost.spec.state;

import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RateLimit;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteAuth;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for one {@link Route}, given what it may refer to.
 *
 * @param integrations the state's integrations by name, or {@code null} when they are not known
 *     (a routing table on its own): then the integration references are not checked
 * @param identityProviders the names of the identity providers the route may trust
 */
record RouteRules(Map<String, Integration> integrations, Set<String> identityProviders) {
  static final long MAX_BODY_BYTES = 1024L * 1024 * 1024;
  static final int MAX_PERIOD_SECONDS = 86_400;
  /** An HTTP header name (RFC 9110 token). */
  private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

  void check(Route route, String path, Problems problems) {
    Names.checkLabel(route.id(), Problems.field(path, "id"), problems);
    Names.checkProject(route.project(), Problems.field(path, "project"), problems);
    if (route.match() != null) {
      MatchRules.check(route.match(), Problems.field(path, "match"), problems);
    }
    checkIntegration(route, path, problems);
    boolean authValid = route.auth() != null && checkAuth(route.auth(), Problems.field(path, "auth"), problems);
    if (route.rateLimit() != null) {
      // The key's fit with the auth mode is only meaningful once the mode itself is clear.
      checkRateLimit(route.rateLimit(), authValid ? route.auth() : null, Problems.field(path, "rateLimit"), problems);
    }
    if (route.timeoutMillis() < 1 || route.timeoutMillis() > Route.MAX_TIMEOUT_MILLIS) {
      problems.add(Problems.field(path, "timeoutMillis"), "must be between 1 and " + Route.MAX_TIMEOUT_MILLIS);
    }
    if (route.retries() < 0 || route.retries() > Route.MAX_RETRIES) {
      problems.add(Problems.field(path, "retries"), "must be between 0 and " + Route.MAX_RETRIES);
    }
    if (route.maxBodyBytes() < 0 || route.maxBodyBytes() > MAX_BODY_BYTES) {
      problems.add(Problems.field(path, "maxBodyBytes"), "must be between 0 and " + MAX_BODY_BYTES + " (1 GiB)");
    }
    if (route.cors() != null) {
      CorsRules.check(route.cors(), Problems.field(path, "cors"), problems);
    }
  }

  private void checkIntegration(Route route, String path, Problems problems) {
    if (route.integration() == null) {
      return;
    }
    if (integrations == null) {
      Names.checkLabel(route.integration(), Problems.field(path, "integration"), problems);
      return;
    }
    Integration target = integrations.get(route.integration());
    if (target == null) {
      problems.add(Problems.field(path, "integration"), "integration \"" + route.integration() + "\" does not exist");
    } else if (route.project() != null && !route.project().equals(target.project())) {
      problems.add(Problems.field(path, "project"), "must equal the project of integration \""
          + target.name() + "\" (\"" + target.project() + "\")");
    }
  }

  /** Checks the auth block; returns whether it names exactly one mode. */
  private boolean checkAuth(RouteAuth auth, String path, Problems problems) {
    int modes = (auth.jwt() != null ? 1 : 0) + (auth.apiKey() != null ? 1 : 0)
        + (Boolean.TRUE.equals(auth.publicAccess()) ? 1 : 0);
    boolean oneMode = modes == 1 && !Boolean.FALSE.equals(auth.publicAccess());
    if (!oneMode) {
      problems.add(path, "must set exactly one of jwt, apiKey or public: true");
    }
    if (auth.jwt() != null) {
      String providersPath = Problems.field(Problems.field(path, "jwt"), "identityProviders");
      if (auth.jwt().identityProviders().isEmpty()) {
        problems.add(providersPath, "must name at least one identity provider");
      }
      for (int i = 0; i < auth.jwt().identityProviders().size(); i++) {
        String name = auth.jwt().identityProviders().get(i);
        if (!identityProviders.contains(name)) {
          problems.add(Problems.index(providersPath, i), "identity provider \"" + name + "\" does not exist");
        }
      }
    }
    if (auth.apiKey() != null) {
      String header = auth.apiKey().header();
      if (!HEADER.matcher(header).matches()) {
        problems.add(Problems.field(Problems.field(path, "apiKey"), "header"), "must be an HTTP header name");
      }
      if (auth.apiKey().keys() != null) {
        SecretRules.checkRef(auth.apiKey().keys(), Problems.field(Problems.field(path, "apiKey"), "keys"), problems);
      }
    }
    return oneMode;
  }

  private static void checkRateLimit(RateLimit limit, RouteAuth auth, String path, Problems problems) {
    if (limit.requests() < 1 || limit.requests() > CanonicalJson.MAX_SAFE_INTEGER) {
      problems.add(Problems.field(path, "requests"), "must be between 1 and " + CanonicalJson.MAX_SAFE_INTEGER);
    }
    if (limit.periodSeconds() < 1 || limit.periodSeconds() > MAX_PERIOD_SECONDS) {
      problems.add(Problems.field(path, "periodSeconds"), "must be between 1 and " + MAX_PERIOD_SECONDS);
    }
    if (auth == null || limit.key() == null) {
      return;
    }
    if (limit.key() == RateLimit.Key.SUBJECT && auth.jwt() == null) {
      problems.add(Problems.field(path, "key"), "subject needs jwt auth");
    } else if (limit.key() == RateLimit.Key.API_KEY && auth.apiKey() == null) {
      problems.add(Problems.field(path, "key"), "apiKey needs apiKey auth");
    }
  }
}
