package dev.outpost.runtime.dispatch;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.jboss.logging.Logger;

/**
 * Gives Camel's stop of the routes what is left of {@code outpost.runtime.stop-within} since SIGTERM.
 * Camel stops after Quarkus' HTTP drain, and its shutdown timeout (45 s by default) counted from
 * there: a drain that ran long, then a {@code seda} queue or a timer's exchange still running, took
 * the stop past the pod's grace period, and the kubelet's SIGKILL cut it anywhere. Set as the context
 * begins to stop, when Camel has not yet read the timeout it waits with; a stop without a signal (a
 * test's, an embedding's) keeps Camel's own.
 */
public final class CamelStopBudget extends EventNotifierSupport {
  private static final Logger LOG = Logger.getLogger(CamelStopBudget.class);
  /** Camel's routes get at least this, however late they stop: their exchanges are cut after it. */
  static final Duration AT_LEAST = Duration.ofSeconds(1);

  private final CamelContext camel;
  private final Duration stopWithin;
  private final Supplier<Optional<Duration>> sinceSignal;

  public CamelStopBudget(CamelContext camel, Duration stopWithin, Supplier<Optional<Duration>> sinceSignal) {
    this.camel = camel;
    this.stopWithin = stopWithin;
    this.sinceSignal = sinceSignal;
  }

  @Override
  public boolean isEnabled(CamelEvent event) {
    return event instanceof CamelEvent.CamelContextStoppingEvent;
  }

  @Override
  public void notify(CamelEvent event) {
    sinceSignal.get().ifPresent(elapsed -> {
      Duration left = budget(stopWithin, elapsed);
      camel.getShutdownStrategy().setTimeUnit(TimeUnit.MILLISECONDS);
      camel.getShutdownStrategy().setTimeout(left.toMillis());
      LOG.infof("the routes get %d ms to finish their exchanges (outpost.runtime.stop-within %d s, %d ms since the stop signal)",
          left.toMillis(), stopWithin.toSeconds(), elapsed.toMillis());
    });
  }

  /** What is left of {@code stopWithin} after {@code elapsed}, at least {@link #AT_LEAST}. */
  static Duration budget(Duration stopWithin, Duration elapsed) {
    Duration left = stopWithin.minus(elapsed);
    return left.compareTo(AT_LEAST) < 0 ? AT_LEAST : left;
  }
}
