package dev.outpost.runtime.deploy;

import java.lang.reflect.InvocationTargetException;
import org.apache.camel.Service;
import org.apache.camel.support.ObjectHelper;
import org.apache.camel.support.service.ServiceHelper;

/** Destroys a bean no integration uses any more, as Camel destroys a context's beans. */
final class BeanDestruction {

  private BeanDestruction() {}

  /**
   * Runs {@code destroyMethod} on {@code bean} when given (as Camel's registry does), else stops it
   * if it is a Camel {@code Service}, else closes it if it is {@code AutoCloseable}; does nothing
   * to any other bean.
   */
  static void destroy(Object bean, String destroyMethod) throws Exception {
    if (destroyMethod != null && !destroyMethod.isBlank()) {
      try {
        ObjectHelper.invokeMethodSafe(destroyMethod, bean);
      } catch (InvocationTargetException e) {
        // what the method threw: the reflective wrapper says nothing
        throw e.getCause() instanceof Exception thrown ? thrown : e;
      }
    } else if (bean instanceof Service service) {
      ServiceHelper.stopAndShutdownService(service);
    } else if (bean instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}
