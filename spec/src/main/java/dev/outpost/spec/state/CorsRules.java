package dev.outpost.spec.state;

import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.Cors;
import java.net.URI;
import java.net.URISyntaxException;

/** The rules for a route's {@link Cors} policy. */
final class CorsRules {
  static final int MAX_AGE_SECONDS = 86_400;

  private CorsRules() {}

  static void check(Cors cors, String path, Problems problems) {
    String originsPath = Problems.field(path, "allowOrigins");
    for (int i = 0; i < cors.allowOrigins().size(); i++) {
      String origin = cors.allowOrigins().get(i);
      if ("*".equals(origin)) {
        if (cors.allowCredentials()) {
          problems.add(Problems.index(originsPath, i), "\"*\" cannot be combined with allowCredentials: true");
        }
      } else if (!isOrigin(origin)) {
        problems.add(Problems.index(originsPath, i), "must be \"*\" or scheme://host[:port] (no path, no trailing \"/\")");
      }
    }
    MatchRules.checkMethods(cors.allowMethods(), Problems.field(path, "allowMethods"), problems);
    if (cors.maxAgeSeconds() < 0 || cors.maxAgeSeconds() > MAX_AGE_SECONDS) {
      problems.add(Problems.field(path, "maxAgeSeconds"), "must be between 0 and " + MAX_AGE_SECONDS);
    }
  }

  private static boolean isOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null && uri.getRawUserInfo() == null
          && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
          && uri.getRawQuery() == null && uri.getRawFragment() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
