package dev.outpost.controlplane;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The methods each path of the API takes, read once from the resources' JAX-RS annotations, for the
 * {@code Allow} of a 405 (RFC 9110 section 15.5.6): RESTEasy Reactive refuses a method with a bare
 * 405 and names none. HEAD goes with GET, and OPTIONS with every path, as RESTEasy answers both.
 */
@Singleton
public class AllowedMethods {
  private static final Pattern PARAMETER = Pattern.compile("\\{[^}]*}");

  /** One resource method: the paths it answers, and its HTTP method. */
  private record Endpoint(Pattern path, String method) {}

  private final List<Endpoint> endpoints = new ArrayList<>();

  public AllowedMethods(BeanManager beans) {
    for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
      Path root = bean.getBeanClass().getAnnotation(Path.class);
      if (root == null) {
        continue;
      }
      for (Method method : bean.getBeanClass().getMethods()) {
        String httpMethod = httpMethod(method);
        Path sub = method.getAnnotation(Path.class);
        if (httpMethod != null) {
          endpoints.add(new Endpoint(template(root.value() + "/" + (sub == null ? "" : sub.value())), httpMethod));
        }
      }
    }
  }

  /** The methods {@code path} takes, in order; empty when no endpoint answers it. */
  public Set<String> of(String path) {
    String normalised = normalised(path);
    Set<String> methods = new TreeSet<>();
    endpoints.stream().filter(e -> e.path().matcher(normalised).matches()).forEach(e -> methods.add(e.method()));
    if (methods.contains(HttpMethod.GET)) {
      methods.add(HttpMethod.HEAD);
    }
    if (!methods.isEmpty()) {
      methods.add(HttpMethod.OPTIONS);
    }
    return methods;
  }

  /** The method's HTTP method ({@code @GET} is meta-annotated {@code @HttpMethod("GET")}), or null. */
  private static String httpMethod(Method method) {
    for (Annotation annotation : method.getAnnotations()) {
      HttpMethod httpMethod = annotation.annotationType().getAnnotation(HttpMethod.class);
      if (httpMethod != null) {
        return httpMethod.value();
      }
    }
    return null;
  }

  /** A path template as a pattern, each {@code {name}} one segment (JAX-RS' default). */
  private static Pattern template(String path) {
    String normalised = normalised(path);
    StringBuilder regex = new StringBuilder();
    Matcher parameter = PARAMETER.matcher(normalised);
    int last = 0;
    while (parameter.find()) {
      regex.append(Pattern.quote(normalised.substring(last, parameter.start()))).append("[^/]+");
      last = parameter.end();
    }
    return Pattern.compile(regex.append(Pattern.quote(normalised.substring(last))).toString());
  }

  /** One slash between segments, none at the end: {@code /v1/state/} is {@code /v1/state}. */
  private static String normalised(String path) {
    String single = ("/" + path).replaceAll("/+", "/");
    return single.length() > 1 && single.endsWith("/") ? single.substring(0, single.length() - 1) : single;
  }
}
