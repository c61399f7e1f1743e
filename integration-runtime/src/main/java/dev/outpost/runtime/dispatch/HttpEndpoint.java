package dev.outpost.runtime.dispatch;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A public HTTP path an integration serves through {@code platform-http} (directly or through the
 * REST DSL): a path template such as {@code /orders/{id}} or {@code /files/*}, and the methods it
 * accepts (empty: every method).
 */
public record HttpEndpoint(String path, Set<String> methods) {

  public HttpEndpoint {
    path = normalise(path);
    methods = Set.copyOf(methods);
  }

  /** Two endpoints conflict when the same request could reach both: same template, common method. */
  public boolean conflictsWith(HttpEndpoint other) {
    return shape().equals(other.shape())
        && (methods.isEmpty() || other.methods.isEmpty()
            || methods.stream().anyMatch(other.methods::contains));
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
      boolean parameter = t.startsWith("{") && t.endsWith("}");
      if (!parameter && !t.equals(request.get(i))) {
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

  /** The template with parameter names erased: {@code /a/{x}} and {@code /a/{y}} are one path. */
  private String shape() {
    return path.replaceAll("\\{[^}/]*}", "{}");
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
