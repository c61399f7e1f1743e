package dev.outpost.runtime.telemetry;

import dev.outpost.runtime.secret.SecretRedaction;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.internal.ExtendedSpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import dev.outpost.runtime.dispatch.HttpDispatcher;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;

/**
 * Tags every span of an integration with {@code outpost.project}, {@code outpost.integration} and
 * {@code outpost.integration.version}, and redacts secret values from its string attributes and its
 * name. The HTTP server span's name (Quarkus writes "METHOD route", the route being the Vert.x route
 * Camel registered: the internal versioned path) and its route and path attributes get the public
 * path: internal names changed with every deploy, and an endpoint path holding a secret
 * ({@code platform-http:/hooks/{{secret.hook.token}}}) put the value itself in the name.
 *
 * <p>The owner is found, in order: on the parent span (the dispatcher tags the HTTP server span
 * before Camel starts its spans), from Camel's MDC route id when the span starts, and when the span
 * ends from the internal names in its name or the attributes Camel sets ({@code camel.*}: endpoint
 * URIs). Never from what the request carried (its path, query, user agent): a client asking for
 * {@code /_outpost/billing/g3/x}, answered 404 by the dispatcher, had its span filed under billing.
 */
@ApplicationScoped
public class IntegrationSpanProcessor implements ExtendedSpanProcessor {

  /** The attributes Camel sets on its spans, such as {@code camel.uri}. */
  private static final String CAMEL_ATTRIBUTES = "camel.";
  /** A version's internal prefix within a name or path, with the slash after it. */
  private static final Pattern INTERNAL_PREFIX =
      Pattern.compile(Pattern.quote(HttpDispatcher.INTERNAL_ROOT) + "[^/\\s]+/g[0-9]+/?");
  /** The attributes of the HTTP server span that hold the path served. */
  private static final Set<String> PATH_ATTRIBUTES = Set.of("http.route", "url.path", "http.target");
  /**
   * The query of the request served: its names are kept, its values never (a client's
   * {@code access_token}, an OAuth {@code code}, a signed URL's {@code sig}), as the gateway records
   * no query at all; OpenTelemetry's conventions ask instrumentations to redact such values.
   */
  static final String URL_QUERY = "url.query";
  /**
   * The attributes with a whole URL: Camel's consumer span gives the request's, internal path and
   * client query included ({@code http.url}); a backend call's is the integration's own, and kept.
   */
  private static final Set<String> URL_ATTRIBUTES = Set.of("http.url", "url.full");

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    Span parent = Span.fromContext(parentContext);
    if (parent instanceof ReadableSpan readable && readable.getAttribute(TelemetryAttributes.INTEGRATION) != null) {
      span.setAttribute(TelemetryAttributes.PROJECT, readable.getAttribute(TelemetryAttributes.PROJECT));
      span.setAttribute(TelemetryAttributes.INTEGRATION, readable.getAttribute(TelemetryAttributes.INTEGRATION));
      span.setAttribute(TelemetryAttributes.VERSION, readable.getAttribute(TelemetryAttributes.VERSION));
      return;
    }
    Object routeId = MDC.get("camel.routeId");
    if (routeId != null) {
      IntegrationIdentities.find(routeId + ".").ifPresent(identity -> TelemetryAttributes.tag(span, identity));
    }
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnding(ReadWriteSpan span) {
    boolean untagged = span.getAttribute(TelemetryAttributes.INTEGRATION) == null;
    Optional<IntegrationIdentities.Identity> found = untagged
        ? IntegrationIdentities.find(span.getName())
        : Optional.empty();
    for (var entry : span.getAttributes().asMap().entrySet()) {
      if (entry.getValue() instanceof String value) {
        if (untagged && found.isEmpty() && entry.getKey().getKey().startsWith(CAMEL_ATTRIBUTES)) {
          found = IntegrationIdentities.find(value);
        }
        String key = entry.getKey().getKey();
        String redacted = URL_QUERY.equals(key) ? valuesMasked(value)
            : URL_ATTRIBUTES.contains(key) && value.contains(HttpDispatcher.INTERNAL_ROOT) ? servedUrl(value)
            : SecretRedaction.redact(PATH_ATTRIBUTES.contains(key) ? publicPaths(value) : value);
        if (!redacted.equals(value)) {
          @SuppressWarnings("unchecked")
          AttributeKey<String> attribute = (AttributeKey<String>) entry.getKey();
          span.setAttribute(attribute, redacted);
        }
      }
    }
    found.ifPresent(identity -> TelemetryAttributes.tag(span, identity));
    String name = SecretRedaction.redact(publicPaths(span.getName()));
    if (!name.equals(span.getName())) {
      span.updateName(name);
    }
  }

  /** The URL of a request this runtime served: its public path, and its query's names only. */
  static String servedUrl(String url) {
    int query = url.indexOf('?');
    String path = SecretRedaction.redact(publicPaths(query < 0 ? url : url.substring(0, query)));
    return query < 0 ? path : path + "?" + valuesMasked(url.substring(query + 1));
  }

  /** {@code a=1&b&c=x} as {@code a=****&****&c=****}: a parameter without a name ({@code ?<token>}) is all value. */
  static String valuesMasked(String query) {
    return java.util.Arrays.stream(query.split("&", -1)).map(parameter -> {
      int equals = parameter.indexOf('=');
      return equals < 0 ? (parameter.isEmpty() ? "" : SecretRedaction.REDACTED)
          : SecretRedaction.redact(parameter.substring(0, equals)) + "=" + SecretRedaction.REDACTED;
    }).collect(java.util.stream.Collectors.joining("&"));
  }

  /** {@code text} with each version's internal prefix replaced by the public path it stands for. */
  static String publicPaths(String text) {
    return text.contains(HttpDispatcher.INTERNAL_ROOT) ? INTERNAL_PREFIX.matcher(text).replaceAll("/") : text;
  }

  @Override
  public boolean isOnEndingRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }
}
