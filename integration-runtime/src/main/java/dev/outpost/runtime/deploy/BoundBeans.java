package dev.outpost.runtime.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultRegistry;
import org.jboss.logging.Logger;

/**
 * The beans one integration version bound in the registry all integrations share, by the names its
 * source declares them under ({@link DeclaredBeans#of}), and their release when the version retires.
 * Camel binds them for the life of the context: a removed integration's beans stayed bound (another
 * integration still found them by name), and open (a renamed integration declaring the same server
 * socket failed, {@code Address already in use}). Identity decides what is the version's: a name
 * bound since by another integration or a newer version is theirs, and an object another version
 * still holds is not destroyed.
 */
final class BoundBeans {

  static final BoundBeans NONE = new BoundBeans(Map.of(), Set.of());
  private static final Logger LOG = Logger.getLogger(BoundBeans.class);

  private final Map<String, Object> byName;
  /** The names whose bean declares a {@code destroyMethod}, which Camel runs on any unbind of the name. */
  private final Set<String> withDestroyMethod;

  private BoundBeans(Map<String, Object> byName, Set<String> withDestroyMethod) {
    this.byName = byName;
    this.withDestroyMethod = withDestroyMethod;
  }

  /** What the registry holds under each of {@code declared}'s names before the version loads. */
  static Before before(List<JsonNode> declared, CamelContext camel) {
    Map<String, Object> held = new HashMap<>();
    Set<String> withDestroyMethod = new HashSet<>();
    for (JsonNode bean : declared) {
      String name = bean.path("name").asText("");
      if (!name.isEmpty()) {
        held.put(name, boundUnder(camel.getRegistry(), name));
        if (!bean.path("destroyMethod").asText("").isBlank()) {
          withDestroyMethod.add(name);
        }
      }
    }
    return new Before(held, withDestroyMethod);
  }

  /** The registry's names before a load, to tell afterwards which the load bound. */
  record Before(Map<String, Object> held, Set<String> withDestroyMethod) {

    /** What the version bound: each name whose bean is not the one it held before the load. */
    BoundBeans after(CamelContext camel) {
      Map<String, Object> bound = new HashMap<>();
      held.forEach((name, previous) -> {
        Object now = boundUnder(camel.getRegistry(), name);
        if (now != null && now != previous) {
          bound.put(name, now);
        }
      });
      return bound.isEmpty() ? NONE : new BoundBeans(Map.copyOf(bound), Set.copyOf(withDestroyMethod));
    }
  }

  /** Whether {@code bean} is one of these, under any name. */
  boolean holds(Object bean) {
    return byName.values().stream().anyMatch(own -> own == bean);
  }

  /**
   * Unbinds each name that still holds this version's bean, then destroys the bean as Camel would
   * at its stop (its destroy method, else a {@code Service} stopped or an {@code AutoCloseable}
   * closed) unless a version in {@code live} or the registry under another name still holds it. A
   * bean whose destroy method Camel ran already, when another bean was bound under its name, is not
   * destroyed twice. Called under the deployer's lock, as loads are; a failure is logged, never thrown.
   */
  void release(CamelContext camel, String integration, Collection<BoundBeans> live) {
    Registry registry = camel.getRegistry();
    byName.forEach((name, bean) -> {
      // taken out of Camel's keeping first, so that the unbind below does not run it: run here, once
      String destroyMethod = RegisteredDestroyMethods.take(registry, name, bean);
      if (boundUnder(registry, name) == bean) {
        registry.unbind(name);
        forgetDefinition(camel, name);
      }
      boolean destroyedByCamel = destroyMethod == null && withDestroyMethod.contains(name);
      if (destroyedByCamel || stillUsed(bean, registry, live)) {
        return;
      }
      try {
        BeanDestruction.destroy(bean, destroyMethod);
      } catch (Exception | LinkageError e) {
        LOG.warnf("integration %s: its bean '%s' (%s) could not be destroyed: %s", integration, name,
            bean.getClass().getName(), e);
      }
    });
  }

  /** Whether another version holds {@code bean}, or the registry under some other name. */
  private boolean stillUsed(Object bean, Registry registry, Collection<BoundBeans> live) {
    return live.stream().anyMatch(other -> other != this && other.holds(bean))
        || bindings(registry).findByTypeWithName(bean.getClass()).values().stream().anyMatch(bound -> bound == bean);
  }

  private static Object boundUnder(Registry registry, String name) {
    Registry bindings = bindings(registry);
    return bindings == registry && name.contains("{{") ? null : bindings.lookupByName(name);
  }

  /**
   * Where Camel's YAML loader binds beans: the registry's own map, by the names as written (it
   * resolves no placeholder in a name there; a lookup through the registry would, and would find a
   * CDI bean of that name first).
   */
  private static Registry bindings(Registry registry) {
    return registry instanceof DefaultRegistry own && own.getFallbackRegistry() != null
        ? own.getFallbackRegistry() : registry;
  }

  /** Camel's model keeps the last definition of each bean name, with the source it came from. */
  private static void forgetDefinition(CamelContext camel, String name) {
    Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
    if (model != null) {
      model.getCustomBeans().removeIf(definition -> name.equals(definition.getName()));
    }
  }
}
