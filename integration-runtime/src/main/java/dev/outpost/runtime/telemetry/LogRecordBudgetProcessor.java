package dev.outpost.runtime.telemetry;

import io.micrometer.core.instrument.Metrics;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Passes each integration's log records on to the export within its {@link LogRecordBudget} and
 * drops the rest. In front of the SDK's batch processor, whose one queue every record shares: once
 * full it dropped records silently, whoever's they were, so locally, where the integrations of every
 * project share one runtime, one integration's flood cost the others their records. The runtime's
 * own records (without {@code outpost.integration}) and the reporter's warnings are not counted.
 *
 * <p>{@link #onEmit} runs inside the log handler, on the thread that logged: it logs nothing itself
 * (a record logged there would run through the handlers again); {@link DroppedLogRecordsReporter}
 * tells of the drops from a thread of its own.
 */
final class LogRecordBudgetProcessor implements LogRecordProcessor {

  private final LogRecordProcessor next;
  private final LogRecordBudgets budgets;
  private final DroppedLogRecordsReporter reporter;

  /** Wraps {@code next}, allowing each integration {@code perSecond} records a second. */
  LogRecordBudgetProcessor(LogRecordProcessor next, int perSecond) {
    this(next, perSecond, System::nanoTime);
  }

  /** As above, on {@code nanoTime}'s clock (a test's, which a slow machine does not move on). */
  LogRecordBudgetProcessor(LogRecordProcessor next, int perSecond, LongSupplier nanoTime) {
    this.next = next;
    this.budgets = new LogRecordBudgets(perSecond, nanoTime);
    // Quarkus' root registry, which the management port's Prometheus registry belongs to
    this.reporter = new DroppedLogRecordsReporter(budgets, Metrics.globalRegistry);
  }

  @Override
  public void onEmit(Context context, ReadWriteLogRecord record) {
    if (!reporter.isReporting()) {
      // ReadWriteLogRecord reads no single attribute in this SDK (1.44)
      Attributes attributes = record.toLogRecordData().getAttributes();
      String integration = attributes.get(TelemetryAttributes.INTEGRATION);
      if (integration != null && !budgets.admit(new IntegrationIdentities.Identity(
          Objects.toString(attributes.get(TelemetryAttributes.PROJECT), ""), integration,
          Objects.toString(attributes.get(TelemetryAttributes.VERSION), "")))) {
        return;
      }
    }
    next.onEmit(context, record);
  }

  @Override
  public CompletableResultCode shutdown() {
    reporter.close();
    return next.shutdown();
  }

  @Override
  public CompletableResultCode forceFlush() {
    return next.forceFlush();
  }

  @Override
  public String toString() {
    return "LogRecordBudgetProcessor{perSecond=" + budgets.perSecond() + ", next=" + next + "}";
  }
}
