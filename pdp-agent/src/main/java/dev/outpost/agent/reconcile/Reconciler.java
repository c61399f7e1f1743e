package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Makes a target match a desired state by running a fixed, ordered list of steps — check secrets,
 * apply integrations, apply routes, apply telemetry settings, prune — and stopping at the first that fails. Running it again
 * with the same state changes nothing. Calls are serialized: one reconciliation at a time.
 */
public final class Reconciler {
  private static final Logger LOG = Logger.getLogger(Reconciler.class);

  /** The steps, in the order ARCHITECTURE.md requires. */
  public static final List<ReconcileStep> STEPS =
      List.of(new CheckSecrets(), new ApplyIntegrations(), new ApplyRoutes(), new ApplyTelemetry(),
          new PruneIntegrations());

  private final Target target;
  private final Clock clock;
  private final AtomicReference<ReconcileStatus> status = new AtomicReference<>(ReconcileStatus.INITIAL);

  public Reconciler(Target target, Clock clock) {
    this.target = target;
    this.clock = clock;
  }

  public synchronized ReconcileResult reconcile(DataPlaneState desired) {
    int changes = 0;
    ReconcileResult result = null;
    try {
      target.refresh();
    } catch (TargetException | RuntimeException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      result = new ReconcileResult(desired.revision(), false, "refresh", message, 0, clock.instant());
    }
    for (ReconcileStep step : result == null ? STEPS : List.<ReconcileStep>of()) {
      try {
        changes += step.run(desired, target);
      } catch (TargetException | RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        LOG.warnf("revision %d: step %s failed: %s", desired.revision(), step.name(), message);
        result = new ReconcileResult(desired.revision(), false, step.name(), message, changes, clock.instant());
        break;
      }
    }
    if (result == null) {
      result = new ReconcileResult(desired.revision(), true, null, null, changes, clock.instant());
      if (changes > 0) {
        LOG.infof("revision %d applied: %d change(s)", desired.revision(), changes);
      }
    }
    ReconcileResult finished = result;
    status.updateAndGet(s -> s.after(finished));
    return result;
  }

  public ReconcileStatus status() {
    return status.get();
  }
}
