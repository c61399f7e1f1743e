package dev.outpost.runtime.secret;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExtendedCamelContext;
import org.apache.camel.spi.CamelLogger;
import org.apache.camel.spi.LogListener;

/**
 * Redacts secret values from what a route's {@code log} EIP writes, before Camel's other log
 * listeners see it: the tracer copies every logged message into a span event, which no span
 * processor can rewrite afterwards.
 */
public final class SecretRedactingLogListener implements LogListener {

  @Override
  public String onLog(Exchange exchange, CamelLogger camelLogger, String message) {
    return SecretRedaction.redact(message);
  }

  /** Installs a redacting listener ahead of the listeners {@code camel} already has. */
  public static void installFirst(CamelContext camel) {
    ExtendedCamelContext extension = camel.getCamelContextExtension();
    List<LogListener> existing = new ArrayList<>(extension.getLogListeners());
    extension.getLogListeners().clear();
    extension.addLogListener(new SecretRedactingLogListener());
    existing.forEach(extension::addLogListener);
  }
}
