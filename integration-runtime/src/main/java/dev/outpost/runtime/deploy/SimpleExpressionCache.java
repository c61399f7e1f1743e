package dev.outpost.runtime.deploy;

import java.lang.reflect.Field;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.language.simple.SimpleLanguage;
import org.jboss.logging.Logger;

/**
 * Empties Camel's cache of compiled {@code simple} expressions and predicates before an integration's
 * routes are built. It keys them by their text, for the whole context, and a compiled {@code
 * ${bean:…}} keeps the bean it first looked up: in the shared context a new version of an integration
 * (or the same integration deployed again after its removal) got its first version's compiled
 * expression, and ran that version's bean, not the one it declares. Emptied, not turned off: Camel
 * also compiles per exchange (bean method parameters, nested functions), where the cache saves some
 * microseconds each time.
 *
 * <p>The language's {@code stop()} empties only caches of one implementation, and Camel Quarkus makes
 * the language before {@code camel.globalOptions} could size them, so the fields are read here. A
 * Camel upgrade that renames them makes this log an error, and {@code
 * DeployLifecycleTest.anUpgradeAndARedeployRunTheBeansTheyDeclare} fail.
 */
final class SimpleExpressionCache {

  private static final Logger LOG = Logger.getLogger(SimpleExpressionCache.class);
  private static final String[] CACHE_FIELDS = {"cacheExpression", "cachePredicate"};

  private SimpleExpressionCache() {}

  static void clear(CamelContext camel) {
    if (!(camel.resolveLanguage("simple") instanceof SimpleLanguage simple)) {
      LOG.error("Camel's simple language is not org.apache.camel.language.simple.SimpleLanguage: its expression cache"
          + " stays, and a new version of an integration may run its first version's beans");
      return;
    }
    for (String name : CACHE_FIELDS) {
      try {
        Field cache = SimpleLanguage.class.getDeclaredField(name);
        cache.setAccessible(true);
        if (cache.get(simple) instanceof Map<?, ?> compiled) {
          compiled.clear();
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.errorf(e, "could not empty Camel's simple language cache (%s): a new version of an integration may run"
            + " its first version's beans", name);
      }
    }
  }
}
