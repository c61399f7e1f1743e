package dev.outpost.runtime.telemetry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The budget of every integration that has logged, by project and name (its versions share one). One
 * entry per integration the runtime has run: records carry only names {@link IntegrationIdentities}
 * gave them.
 */
final class LogRecordBudgets {

  /** Whose budget: an integration is named within its project. */
  record Owner(String project, String integration) {}

  private final int perSecond;
  private final LongSupplier nanos;
  private final Map<Owner, LogRecordBudget> byOwner = new ConcurrentHashMap<>();

  LogRecordBudgets(int perSecond, LongSupplier nanos) {
    this.perSecond = perSecond;
    this.nanos = nanos;
  }

  int perSecond() {
    return perSecond;
  }

  /** Whether one more record of {@code identity} is within its integration's budget. */
  boolean admit(IntegrationIdentities.Identity identity) {
    long now = nanos.getAsLong();
    return byOwner.computeIfAbsent(new Owner(identity.project(), identity.integration()),
        owner -> new LogRecordBudget(perSecond, now)).admit(identity, now);
  }

  void forEach(BiConsumer<Owner, LogRecordBudget> action) {
    byOwner.forEach(action);
  }
}
