package dev.outpost.runtime.telemetry;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Tells of the log records the budgets dropped, as Loki counts a tenant's discarded samples: a
 * counter per integration on the management port,
 * {@code outpost_integration_log_records_dropped_total{project,integration}}, and a WARN at most
 * once a minute per integration, carrying its telemetry attributes, so its project's users find in
 * observability-api that records are missing and why. Runs once a second on a thread of its own: a
 * record logged while the log handler emits another would run through the handlers again. Its
 * warnings are not counted against the budgets ({@link #isReporting}).
 */
final class DroppedLogRecordsReporter implements AutoCloseable {

  static final Duration EVERY = Duration.ofSeconds(1);
  static final Duration WARN_EVERY = Duration.ofMinutes(1);
  private static final Logger LOG = Logger.getLogger(DroppedLogRecordsReporter.class);

  /** What was told of one integration's drops: how many, when. Read and written on the reporter's thread only. */
  private static final class Told {
    long dropped;
    long at;

    Told(long at) {
      this.at = at;
    }
  }

  private final LogRecordBudgets budgets;
  private final MeterRegistry registry;
  private final Map<LogRecordBudgets.Owner, Told> told = new HashMap<>();
  private final ScheduledExecutorService timer;
  private volatile Thread thread;

  DroppedLogRecordsReporter(LogRecordBudgets budgets, MeterRegistry registry) {
    this.budgets = budgets;
    this.registry = registry;
    this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread reporting = new Thread(task, "outpost-log-budgets");
      reporting.setDaemon(true);
      thread = reporting;
      return reporting;
    });
    timer.scheduleWithFixedDelay(this::report, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the current thread is the reporter's: what it logs passes the budgets. */
  boolean isReporting() {
    return Thread.currentThread() == thread;
  }

  void report() {
    try {
      long now = System.nanoTime();
      budgets.forEach((owner, budget) -> {
        long dropped = budget.dropped();
        if (dropped == 0) {
          return;
        }
        Told last = told.computeIfAbsent(owner, o -> {
          FunctionCounter.builder("outpost.integration.log.records.dropped", budget, LogRecordBudget::dropped)
              .description("Log records of the integration not exported: over its budget"
                  + " (outpost.runtime.telemetry.log-records-per-second); the runtime's own log has them")
              .tags("project", o.project(), "integration", o.integration())
              .register(registry);
          // the first drops are told at once
          return new Told(now - WARN_EVERY.toNanos());
        });
        if (dropped > last.dropped && now - last.at >= WARN_EVERY.toNanos()) {
          warn(budget.lastDropped(), dropped - last.dropped);
          last.dropped = dropped;
          last.at = now;
        }
      });
    } catch (RuntimeException e) {
      // the next round tries again: an exception would end the schedule
      LOG.error("cannot report the log records dropped over the integrations' budgets", e);
    }
  }

  private void warn(IntegrationIdentities.Identity identity, long dropped) {
    int perSecond = budgets.perSecond();
    try (IntegrationLogContext logged = IntegrationLogContext.of(identity)) {
      LOG.warnf("integration %s dropped %d log records over its budget of %d a second, bursts of %d"
          + " (outpost.runtime.telemetry.log-records-per-second): they are not in observability-api; the"
          + " runtime's own log has them", identity.integration(), dropped, perSecond, 2 * perSecond);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
