package dev.outpost.runtime.dispatch;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A public HTTP path an integration serves through {@code platform-http} (directly or through the
 * REST DSL): a path template such as {@code /orders/{id}} or {@code /files/*}, and the methods it
 * accepts (empty: every method), and how long a request may wait for its response ({@code null}:
 * the runtime's {@code request-timeout}).
 */
public record HttpEndpoint(String path, Set<String> methods, Duration requestTimeout) {

  public HttpEndpoint {
    path = normalise(path);
    methods = Set.copyOf(methods);
  }

  /** An endpoint with the runtime's request timeout. */
  public HttpEndpoint(String path, Set<String> methods) {
    this(path, methods, null);
  }

  /**
   * Two endpoints conflict when the same request could reach both: a common method and a path both
   * templates match ({@code /a/{x}} and {@code /a/{y}}, but also {@code /a/{x}} and {@code /a/b}, or
   * {@code /a/*} and {@code /a/b/c}). The dispatcher would give such a request to the more specific
   * one, so without this an integration could take over part of another's paths.
   */
  public boolean conflictsWith(HttpEndpoint other) {
    return overlap(segments(path), segments(other.path))
        && (methods.isEmpty() || other.methods.isEmpty()
            || methods.stream().anyMatch(other.methods::contains));
  }

  /** Whether some request path matches both templates, following {@link #matchesPath}. */
  private static boolean overlap(List<String> a, List<String> b) {
    for (int i = 0; ; i++) {
      if (trailingWildcard(a, i) || trailingWildcard(b, i)) {
        return true;
      }
      if (i == a.size() || i == b.size()) {
        return a.size() == b.size();
      }
      String x = a.get(i);
      String y = b.get(i);
      if (!parameter(x) && !parameter(y) && !x.equals(y)) {
        return false;
      }
    }
  }

  private static boolean trailingWildcard(List<String> template, int i) {
    return i == template.size() - 1 && template.get(i).equals("*");
  }

  private static boolean parameter(String segment) {
    return segment.startsWith("{") && segment.endsWith("}");
  }

  /** Whether a request with this method and normalised path reaches this endpoint. */
  public boolean matches(String method, String requestPath) {
    return (methods.isEmpty() || methods.contains(method)) && matchesPath(requestPath);
  }

  /** Whether a request to this normalised path reaches this endpoint with some method. */
  public boolean matchesPath(String requestPath) {
    List<String> template = segments(path);
    List<String> request = segments(requestPath);
    for (int i = 0; i < template.size(); i++) {
      String t = template.get(i);
      if (t.equals("*") && i == template.size() - 1) {
        return true;
      }
      if (i >= request.size()) {
        return false;
      }
      if (!parameter(t) && !t.equals(request.get(i))) {
        return false;
      }
    }
    return template.size() == request.size();
  }

  /** More specific endpoints are tried first: more literal segments, no trailing wildcard. */
  int specificity() {
    List<String> template = segments(path);
    int literal = (int) template.stream().filter(s -> !s.startsWith("{") && !s.equals("*")).count();
    return literal * 4 + template.size() * 2 - (path.endsWith("*") ? 1 : 0);
  }

  private static List<String> segments(String path) {
    return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
  }

  static String normalise(String path) {
    String p = path.startsWith("/") ? path : "/" + path;
    p = p.replaceAll("/{2,}", "/");
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
