package dev.outpost.spec.state;

import dev.outpost.spec.json.Problems;
import dev.outpost.spec.json.Quoted;
import dev.outpost.spec.model.IdentityProvider;
import java.net.URI;
import java.net.URISyntaxException;

/** The rules for one {@link IdentityProvider}. */
final class IdentityProviderRules {
  static final int MAX_CLOCK_SKEW_SECONDS = 300;

  private IdentityProviderRules() {}

  static void check(IdentityProvider provider, String path, Problems problems) {
    Names.checkLabel(provider.name(), Problems.field(path, "name"), problems);
    if (provider.issuer() != null && provider.issuer().isBlank()) {
      problems.add(Problems.field(path, "issuer"), "must not be empty");
    }
    if (provider.jwksUri() != null && !isHttpUri(provider.jwksUri())) {
      problems.add(Problems.field(path, "jwksUri"), "must be an absolute http or https URI");
    }
    for (int i = 0; i < provider.algorithms().size(); i++) {
      String algorithm = provider.algorithms().get(i);
      if (!IdentityProvider.SUPPORTED_ALGORITHMS.contains(algorithm)) {
        problems.add(Problems.index(Problems.field(path, "algorithms"), i), "must be one of "
            + String.join(", ", IdentityProvider.SUPPORTED_ALGORITHMS) + " (never none or HS*), found " + Quoted.of(algorithm));
      }
    }
    if (provider.clockSkewSeconds() < 0 || provider.clockSkewSeconds() > MAX_CLOCK_SKEW_SECONDS) {
      problems.add(Problems.field(path, "clockSkewSeconds"), "must be between 0 and " + MAX_CLOCK_SKEW_SECONDS);
    }
  }

  static boolean isHttpUri(String value) {
    try {
      URI uri = new URI(value);
      return uri.isAbsolute() && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
