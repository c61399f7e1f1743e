package dev.outpost.runtime.deploy;

import java.lang.reflect.Field;
import java.util.Map;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.util.KeyValueHolder;
import org.jboss.logging.Logger;

/**
 * The destroy methods Camel's registry keeps by bean name ({@code DefaultRegistry.beansToDestroy}):
 * it runs the one of a name on any unbind of that name, whichever bean the name holds then, and logs
 * a failure without the integration. {@link BoundBeans} takes a retired bean's own entry out first,
 * so that it runs it once itself, and not on a bean another version still holds. Camel offers no
 * method for this, so the field is read; a Camel upgrade that renames it makes this log an error,
 * and Camel runs the method on unbind as before.
 */
final class RegisteredDestroyMethods {

  private static final Logger LOG = Logger.getLogger(RegisteredDestroyMethods.class);

  private RegisteredDestroyMethods() {}

  /** Removes and returns the destroy method registered under {@code name} for {@code bean}, if that is whose it is. */
  static String take(Registry registry, String name, Object bean) {
    if (!(registry instanceof DefaultRegistry)) {
      return null;
    }
    try {
      Field field = DefaultRegistry.class.getDeclaredField("beansToDestroy");
      field.setAccessible(true);
      if (field.get(registry) instanceof Map<?, ?> entries && entries.get(name) instanceof KeyValueHolder<?, ?> entry
          && entry.getKey() == bean && entry.getValue() instanceof String method) {
        entries.remove(name);
        return method;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.errorf(e, "could not read Camel's destroy method of bean '%s': Camel runs it when the name is unbound", name);
    }
    return null;
  }
}
