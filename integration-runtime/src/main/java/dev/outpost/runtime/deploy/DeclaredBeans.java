package dev.outpost.runtime.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.jboss.logging.Logger;

/**
 * The beans an integration's source declares ({@code - beans:} at its top level, the key in any
 * case), and what the shared registry held under their names before the integration was loaded.
 * Camel binds a version's beans before it builds its routes, and left them bound when the load then
 * failed: the version still serving kept its routes' beans, but every lookup after (a later version,
 * another integration of the same bean name) had the failed version's. {@link #restore} puts back
 * what was there.
 */
final class DeclaredBeans {

  private static final Logger LOG = Logger.getLogger(DeclaredBeans.class);
  private final Map<String, Object> before = new HashMap<>();

  private DeclaredBeans() {}

  /** Each bean element of {@code source}'s top-level {@code beans} lists. */
  static List<JsonNode> of(String source) throws DeployException {
    List<JsonNode> beans = new ArrayList<>();
    for (JsonNode element : ContextWideElements.topLevel(source)) {
      for (Iterator<String> keys = element.fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        if (key.toLowerCase(Locale.ROOT).equals("beans") && element.get(key).isArray()) {
          element.get(key).forEach(beans::add);
        }
      }
    }
    return beans;
  }

  /** What the registry holds now under the names of {@code beans} ({@link #of}). */
  static DeclaredBeans before(List<JsonNode> beans, CamelContext camel) {
    DeclaredBeans declared = new DeclaredBeans();
    for (JsonNode bean : beans) {
      String name = bean.path("name").asText("");
      // a name with a placeholder is resolved by Camel when bound (a lookup of it here would resolve
      // it too, and throw for a key the integration does not have): not restored
      if (!name.isEmpty() && !name.contains("{{")) {
        declared.before.put(name, camel.getRegistry().lookupByName(name));
      }
    }
    return declared;
  }

  /**
   * Binds again what each declared name held before, or unbinds a name that held nothing; and has
   * Camel's YAML loader forget the failed load's beans ({@link #forgetNotedBeans}).
   */
  void restore(CamelContext camel) {
    Registry registry = camel.getRegistry();
    before.forEach((name, bean) -> {
      if (registry.lookupByName(name) == bean) {
        // not bound by the failed load (it failed making it): an unbind would run the destroy method
        // of the bean a running version still uses, and free its port for the next one
        return;
      }
      registry.unbind(name);
      if (bean != null) {
        registry.bind(name, bean);
      }
    });
    forgetNotedBeans(camel);
  }

  /**
   * Camel's YAML loader notes each bean (name and type) as declared before it makes it, skips the
   * beans it has noted in every load after, and forgets them only once a load succeeds: after a bean
   * failed, the same integration deployed again was Ready without it. An empty source loads, and so
   * makes it forget.
   */
  private static void forgetNotedBeans(CamelContext camel) {
    try {
      Resource nothing = ResourceHelper.fromString("outpost-forget-beans.camel.yaml", "[]");
      for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel).findRoutesBuilders(nothing)) {
        camel.addRoutes(builder);
      }
    } catch (Exception e) {
      LOG.warnf("Camel's YAML loader may skip the beans of the load that failed in the next one: %s", e.getMessage());
    }
  }
}
