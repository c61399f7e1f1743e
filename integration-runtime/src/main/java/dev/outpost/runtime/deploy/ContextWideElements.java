package dev.outpost.runtime.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.json.Mappers;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Refuses the top-level YAML DSL elements that configure the whole shared {@code CamelContext}
 * rather than one integration: a {@code routeConfiguration} applies to every route created after
 * it, a {@code restConfiguration} (binding mode, context path, CORS, …) to every integration's REST
 * DSL, and both outlive the integration, even a failed one. The keys are read from the parsed YAML,
 * so quoting, flow style and Camel's kebab-case spelling ({@code rest-configuration}) count too.
 */
final class ContextWideElements {

  private static final Map<String, String> REFUSED = Map.of(
      "routeconfiguration", "routeConfiguration is not supported (it would apply to other integrations): "
          + "put onException/intercept inside the route",
      "restconfiguration", "restConfiguration is not supported (it would apply to other integrations' REST DSL): "
          + "set binding and options on the rest verbs or in the route");

  private ContextWideElements() {}

  /** The message for {@code routeConfiguration}, also used when Camel registered one anyway. */
  static String routeConfigurationMessage() {
    return REFUSED.get("routeconfiguration");
  }

  static void check(String source) throws DeployException {
    JsonNode routes;
    try {
      routes = Mappers.YAML.readTree(source);
    } catch (JsonProcessingException e) {
      return; // Camel reports it with line and column
    }
    if (routes == null || !routes.isArray()) {
      return;
    }
    for (JsonNode element : routes) {
      for (Iterator<String> names = element.fieldNames(); names.hasNext(); ) {
        String message = REFUSED.get(names.next().toLowerCase(Locale.ROOT).replace("-", ""));
        if (message != null) {
          throw new DeployException(message);
        }
      }
    }
  }
}
