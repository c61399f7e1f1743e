package dev.outpost.spec.state;

import dev.outpost.spec.json.Problems;
import dev.outpost.spec.json.Quoted;
import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.path.BadPathException;
import dev.outpost.spec.path.PathNormaliser;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules for a {@link RouteMatch}: a path prefix in the one normalised form the gateway compares
 * against (so that {@code /a/../admin} or {@code /a%2Fb} can never sneak past a route), valid
 * hosts and known methods.
 */
final class MatchRules {
  static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
  private static final String METHOD_RULE = "must be one of " + String.join(", ", METHODS);

  /** RFC 3986 pchar plus '/', with percent-escapes checked separately. */
  private static final Pattern PATH_CHARS = Pattern.compile("[A-Za-z0-9\\-._~!$&'()*+,;=:@/%]*");
  private static final Pattern PERCENT = Pattern.compile("%(?![0-9A-Fa-f]{2})");
  private static final Pattern HOST = Pattern.compile(
      "(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private MatchRules() {}

  static void check(RouteMatch match, String path, Problems problems) {
    if (match.pathPrefix() != null) {
      String problem = pathPrefixProblem(match.pathPrefix());
      if (problem != null) {
        problems.add(Problems.field(path, "pathPrefix"), problem);
      }
    }
    for (int i = 0; i < match.hosts().size(); i++) {
      String host = match.hosts().get(i);
      if (host.length() > 253 || !HOST.matcher(host).matches()) {
        problems.add(Problems.index(Problems.field(path, "hosts"), i),
            "must be a lower-case host name without port, optionally starting with \"*.\"");
      }
    }
    checkMethods(match.methods(), Problems.field(path, "methods"), problems);
  }

  static void checkMethods(List<String> methods, String path, Problems problems) {
    for (int i = 0; i < methods.size(); i++) {
      if (!METHODS.contains(methods.get(i))) {
        problems.add(Problems.index(path, i), METHOD_RULE + ", found " + Quoted.of(methods.get(i)));
      } else if (methods.indexOf(methods.get(i)) < i) {
        problems.add(Problems.index(path, i), "duplicate method " + methods.get(i));
      }
    }
  }

  /** The first thing wrong with a path prefix, or {@code null} when it is normalised. */
  static String pathPrefixProblem(String prefix) {
    if (!prefix.startsWith("/")) {
      return "must start with \"/\"";
    }
    if (prefix.indexOf('?') >= 0 || prefix.indexOf('#') >= 0) {
      return "must not contain a query or fragment";
    }
    String lower = prefix.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c") || prefix.indexOf('\\') >= 0) {
      return "must not contain encoded slashes or backslashes (%2F, %5C, \\)";
    }
    if (!PATH_CHARS.matcher(prefix).matches() || PERCENT.matcher(prefix).find()) {
      return "must contain only URL path characters and valid %XX escapes";
    }
    if (prefix.length() > 1 && prefix.endsWith("/")) {
      return "must not end with \"/\" (prefixes match whole segments)";
    }
    // read as the gateway reads it: a prefix it refuses stopped it loading the whole table, and a
    // dot segment however escaped (/x/.%2e/admin is /admin) matched other paths than the state said
    try {
      for (String segment : prefix.substring(1).split("/", -1)) {
        String decoded = PathNormaliser.decodeSegment(segment);
        if (prefix.length() > 1 && (decoded.isEmpty() || decoded.equals(".") || decoded.equals(".."))) {
          return "must be normalised (no empty, \".\" or \"..\" segments)";
        }
      }
      PathNormaliser.normalise(prefix);
    } catch (BadPathException e) {
      return "must be a path the gateway accepts: " + e.getMessage();
    }
    return null;
  }

  /** The prefix as the gateway matches it ({@code /a%7e} is {@code /a~}), or as written when it has none. */
  static String asMatched(String prefix) {
    try {
      String normalised = PathNormaliser.normalise(prefix);
      return normalised.length() > 1 && normalised.endsWith("/") ? normalised.substring(0, normalised.length() - 1)
          : normalised;
    } catch (BadPathException e) {
      return prefix;
    }
  }
}
