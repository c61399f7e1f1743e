package dev.outpost.runtime.dispatch;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
      if (!segmentsOverlap(a.get(i), b.get(i))) {
        return false;
      }
    }
  }

  /**
   * Whether one request segment can match both: a literal matches a template or equals a literal;
   * two templates may both match unless their literal starts or ends tell them apart
   * ({@code {id}.csv} and {@code {id}.json} never do).
   */
  private static boolean segmentsOverlap(String x, String y) {
    boolean templateX = templated(x);
    boolean templateY = templated(y);
    if (!templateX && !templateY) {
      return x.equals(y);
    }
    if (!templateX || !templateY) {
      return templateX ? segmentMatches(x, y) : segmentMatches(y, x);
    }
    String startX = x.substring(0, x.indexOf('{'));
    String startY = y.substring(0, y.indexOf('{'));
    String endX = x.substring(x.lastIndexOf('}') + 1);
    String endY = y.substring(y.lastIndexOf('}') + 1);
    return (startX.startsWith(startY) || startY.startsWith(startX)) && (endX.endsWith(endY) || endY.endsWith(endX));
  }

  private static boolean trailingWildcard(List<String> template, int i) {
    return i == template.size() - 1 && template.get(i).equals("*");
  }

  /** A segment naming a parameter, whole ({@code {id}}) or among literal text ({@code {id}.json}, {@code v{n}}). */
  private static boolean templated(String segment) {
    return segment.indexOf('{') >= 0 && segment.indexOf('}') > segment.indexOf('{');
  }

  /**
   * Whether a request segment matches a template segment as Vert.x, which platform-http serves
   * through, matches it: a parameter is one or more characters other than {@code /}, the rest is
   * literal. Before, a segment mixing both ({@code /files/{name}.json}) was compared as literal text:
   * the integration was Ready and every request answered 404.
   */
  private static boolean segmentMatches(String template, String segment) {
    if (!templated(template)) {
      return template.equals(segment);
    }
    return SEGMENT_PATTERNS.computeIfAbsent(template, HttpEndpoint::segmentPattern).matcher(segment).matches();
  }

  /**
   * Camel writes {@code {name}} as Vert.x's {@code :name}, and Vert.x takes the longest run of
   * {@code [A-Za-z0-9_]} after the colon as the parameter's name: what follows ({@code -name} of
   * {@code {file-name}}) is literal text, and without a name the colon is.
   */
  private static Pattern segmentPattern(String template) {
    StringBuilder regex = new StringBuilder();
    Matcher parameter = PARAMETER.matcher(template);
    int at = 0;
    while (parameter.find()) {
      regex.append(Pattern.quote(template.substring(at, parameter.start())));
      String name = parameter.group(1);
      Matcher vertxName = VERTX_NAME.matcher(name);
      if (vertxName.lookingAt()) {
        regex.append("[^/]+").append(Pattern.quote(name.substring(vertxName.end())));
      } else {
        regex.append(Pattern.quote(":" + name));
      }
      at = parameter.end();
    }
    return Pattern.compile(regex.append(Pattern.quote(template.substring(at))).toString());
  }

  private static final Pattern PARAMETER = Pattern.compile("\\{([^/}]+)}");
  /** Vert.x 4.5's parameter name, without its extended-pattern option. */
  private static final Pattern VERTX_NAME = Pattern.compile("[A-Za-z0-9_]+");
  /** Each template segment's pattern, made once: the dispatcher matches on every request. */
  private static final Map<String, Pattern> SEGMENT_PATTERNS = new ConcurrentHashMap<>();

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
      if (!segmentMatches(t, request.get(i))) {
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
