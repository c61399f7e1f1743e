package dev.outpost.runtime.deploy;

import java.lang.reflect.Field;
import org.apache.camel.CamelContext;
import org.apache.camel.language.simple.SimpleLanguage;
import org.jboss.logging.Logger;

/**
 * Turns off Camel's cache of compiled {@code simple} expressions and predicates. It keys them by
 * their text, for the whole context, and a compiled {@code ${bean:…}} keeps the bean it first looked
 * up: in the shared context a new version of an integration (or the same integration deployed again
 * after its removal) got its first version's compiled expression, and ran that version's bean, not
 * the one it declares. Each route compiles its expressions once, when it is built, so nothing per
 * exchange is lost.
 *
 * <p>Camel reads the cache's size ({@code CamelMaximumSimpleCacheSize}) once, when the language is
 * made, and Camel Quarkus makes it before {@code camel.globalOptions} or a context customizer apply;
 * its {@code stop()} clears only caches of one implementation. So the cache fields are emptied here,
 * which the language reads as "no cache". A Camel upgrade that renames them makes this log an error,
 * and {@code DeployLifecycleTest.anUpgradeAndARedeployRunTheBeansTheyDeclare} fail.
 */
final class SimpleExpressionCache {

  private static final Logger LOG = Logger.getLogger(SimpleExpressionCache.class);
  private static final String[] CACHE_FIELDS = {"cacheExpression", "cachePredicate"};

  private SimpleExpressionCache() {}

  static void turnOff(CamelContext camel) {
    if (!(camel.resolveLanguage("simple") instanceof SimpleLanguage simple)) {
      LOG.error("Camel's simple language is not org.apache.camel.language.simple.SimpleLanguage: its expression cache"
          + " stays, and a new version of an integration may run its first version's beans");
      return;
    }
    for (String name : CACHE_FIELDS) {
      try {
        Field cache = SimpleLanguage.class.getDeclaredField(name);
        cache.setAccessible(true);
        cache.set(simple, null);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.errorf(e, "could not turn off Camel's simple language cache (%s): a new version of an integration may run"
            + " its first version's beans", name);
      }
    }
  }
}
