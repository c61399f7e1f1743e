package dev.outpost.runtime.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.json.Mappers;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Refuses the top-level YAML DSL elements that configure the whole shared {@code CamelContext}
 * rather than one integration: a {@code routeConfiguration} applies to every route created after
 * it, a {@code restConfiguration} (binding mode, context path, CORS, …) to every integration's REST
 * DSL, a top-level {@code errorHandler} becomes the context's, which every later route builder
 * copies (a dead letter channel receiving other integrations' failed payloads), an {@code
 * interceptSendToEndpoint} registers a context-wide endpoint callback (other integrations' calls
 * to matching endpoints run its steps, with their payloads and headers), named {@code dataFormats}
 * go to the context's model, and {@code routeTemplate}s too, never removed ({@code templatedRoute}
 * was never instantiated at all). All outlive the integration, even a failed one. The keys are read from the parsed YAML,
 * so quoting, flow style and Camel's kebab-case spelling ({@code rest-configuration}) count too.
 */
final class ContextWideElements {

  private static final Map<String, String> REFUSED = Map.of(
      "routeconfiguration", "routeConfiguration is not supported (it would apply to other integrations): "
          + "put onException at the top level of this integration's source (it applies to its routes only)"
          + " or an errorHandler on the route",
      "restconfiguration", "restConfiguration is not supported (it would apply to other integrations' REST DSL): "
          + "set binding and options on the rest verbs or in the route",
      "errorhandler", "a top-level errorHandler is not supported (it becomes the error handler of every integration"
          + " deployed after it, and outlives this one): put an errorHandler on the route, or onException at the"
          + " top level of this integration's source (it applies to its routes only)",
      "interceptsendtoendpoint", "interceptSendToEndpoint is not supported (it would intercept other integrations'"
          + " calls to matching endpoints, and outlive this one): put the steps before the to in the route",
      "dataformats", "a top-level dataFormats is not supported (named data formats are shared by every"
          + " integration): declare the data format inline in marshal/unmarshal",
      "routetemplate", "routeTemplate is not supported (templates are kept for every integration and never"
          + " removed): write the route",
      "templatedroute", "templatedRoute is not supported: write the route");

  private ContextWideElements() {}

  /** The message for {@code routeConfiguration}, also used when Camel registered one anyway. */
  static String routeConfigurationMessage() {
    return REFUSED.get("routeconfiguration");
  }

  static void check(String source) throws DeployException {
    for (JsonNode element : topLevel(source)) {
      for (Iterator<String> names = element.fieldNames(); names.hasNext(); ) {
        String message = REFUSED.get(names.next().toLowerCase(Locale.ROOT).replace("-", ""));
        if (message != null) {
          throw new DeployException(message);
        }
      }
    }
  }

  /**
   * The top-level elements of an integration's YAML (route, beans, …); none when it is not a list.
   * Validation (spec) has parsed the source the same way before; YAML that does not parse here is
   * still refused rather than left to Camel, whose parser may read it otherwise (duplicate keys) and
   * run what these checks never saw.
   */
  static Iterable<JsonNode> topLevel(String source) throws DeployException {
    try {
      JsonNode elements = Mappers.YAML.readTree(source);
      return elements != null && elements.isArray() ? elements : List.of();
    } catch (JsonProcessingException e) {
      throw new DeployException("source is not valid YAML: " + e.getOriginalMessage());
    }
  }
}
