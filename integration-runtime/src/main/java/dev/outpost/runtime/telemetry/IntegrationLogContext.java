package dev.outpost.runtime.telemetry;

import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.MDC;

/**
 * Files what this thread logs, until {@link #close}, under one integration version: its telemetry
 * attributes go into the MDC, which {@code OutpostLogFilter} leaves as they are and the OTLP log
 * handler exports. For lines about an integration that carry neither its route id nor a logger name
 * of it, which reached no project's logs in observability-api: the deployer's ("failed to deploy", a
 * drain cut short) and Camel's while it loads or removes that integration's routes, a request's
 * timeout, log records dropped over the integration's budget.
 */
public final class IntegrationLogContext implements AutoCloseable {

  /** What the MDC held under each key before, to put back: a context may open inside another. */
  private final Map<String, Object> before = new HashMap<>();

  private IntegrationLogContext() {}

  /** Files this thread's log lines under {@code identity} until closed. */
  public static IntegrationLogContext of(IntegrationIdentities.Identity identity) {
    IntegrationLogContext context = new IntegrationLogContext();
    context.put(TelemetryAttributes.PROJECT.getKey(), identity.project());
    context.put(TelemetryAttributes.INTEGRATION.getKey(), identity.integration());
    context.put(TelemetryAttributes.VERSION.getKey(), identity.version());
    return context;
  }

  /**
   * {@code task}, run without the MDC its thread took from the thread that made it (JBoss' MDC is
   * inherited): a thread made while the deployer works on one integration, and then serving others
   * (a pool Camel makes at its first use), would file their records under that one for good.
   */
  public static Runnable withoutInherited(Runnable task) {
    return () -> {
      MDC.clear();
      task.run();
    };
  }

  private void put(String key, String value) {
    before.put(key, MDC.get(key));
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }

  @Override
  public void close() {
    before.forEach((key, value) -> {
      if (value == null) {
        MDC.remove(key);
      } else {
        MDC.put(key, value);
      }
    });
  }
}
