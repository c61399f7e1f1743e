package dev.outpost.agent.reconcile;

import dev.outpost.agent.status.IntegrationsSeen;
import dev.outpost.agent.status.RoutesStatus;
import dev.outpost.agent.status.StatusSource;
import dev.outpost.agent.targets.NoLongerLeadsException;
import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Makes a target match a desired state by running a fixed, ordered list of steps — check secrets,
 * apply integrations, apply routes, apply telemetry settings, prune — and stopping at the first that fails. Running it again
 * with the same state changes nothing. Calls are serialized: one reconciliation at a time.
 */
public final class Reconciler {
  private static final Logger LOG = Logger.getLogger(Reconciler.class);

  /** Steps that only read: one that fails has changed nothing ({@code refresh} is not a step but fails alike). */
  private static final Set<String> READING_STEPS = Set.of("refresh", CheckSecrets.NAME);

  private final Target target;
  private final Clock clock;
  private final RouteHandover handover;
  /** The steps, in the order ARCHITECTURE.md requires. */
  private final List<ReconcileStep> steps;
  private final AtomicReference<ReconcileStatus> status = new AtomicReference<>(ReconcileStatus.INITIAL);
  /** The integrations the last pass could not write, with why: every one when it could not read the target. */
  private Map<String, String> unwritten = Map.of();

  /** Moves routes to another integration at once: nothing observes whether it serves. */
  public Reconciler(Target target, Clock clock) {
    this(target, new StatusSource() {
      @Override
      public IntegrationsSeen integrations() {
        return IntegrationsSeen.of(List.of());
      }

      @Override
      public RoutesStatus routes() {
        return RoutesStatus.UNKNOWN;
      }
    }, clock);
  }

  /** @param observed what runs, read when a route moves to another integration ({@link RouteHandover}) */
  public Reconciler(Target target, StatusSource observed, Clock clock) {
    this.target = target;
    this.clock = clock;
    this.handover = new RouteHandover(observed, clock);
    this.steps = List.of(new CheckSecrets(), new ApplyIntegrations(), new ApplyRoutes(handover), new ApplyTelemetry(),
        new PruneIntegrations(handover));
  }

  /** Whether a step of that name may have written before failing. */
  static boolean writes(String step) {
    return step != null && !READING_STEPS.contains(step);
  }

  /**
   * Whether the last pass holds a route on an integration it moves away from, or keeps one it just
   * moved away from: another pass is due soon, however little else changes.
   */
  public synchronized boolean handingOver() {
    return !handover.kept().isEmpty();
  }

  /** The routes held on their previous integration, by the integration each waits for. */
  public synchronized Map<String, List<String>> waitingRoutes() {
    return handover.waiting();
  }

  /**
   * The integrations the last pass could not write, by name, with why: told in their status, as a
   * drift correction that keeps failing is otherwise seen only in the agent's log.
   */
  public synchronized Map<String, String> unwritten() {
    return unwritten;
  }

  /** Tries a new revision: the first integration that cannot be written stops the pass. */
  public synchronized ReconcileResult reconcile(DataPlaneState desired) {
    return pass(desired, false);
  }

  /**
   * Makes the target hold a state applied before (a resync, a restore, a put-back): an integration
   * that cannot be written does not stop the others.
   */
  public synchronized ReconcileResult correct(DataPlaneState desired) {
    return pass(desired, true);
  }

  private ReconcileResult pass(DataPlaneState desired, boolean correcting) {
    Map<String, String> unwrittenBefore = unwritten;
    int changes = 0;
    ReconcileResult result = null;
    try {
      target.refresh();
    } catch (TargetException | RuntimeException e) {
      result = ReconcileResult.failed(desired.revision(), "refresh", e, 0, clock.instant());
      // said like a step's failure: a resync that cannot even read the target corrects nothing
      LOG.warnf("revision %d: reading the target failed: %s", desired.revision(), result.message());
      // nothing is written, and each integration's status says why (PROTOCOL.md 3.5): with the
      // namespace claim missing, every integration was Pending with no word of it
      unwritten = everyIntegration(desired, result.message());
    }
    ReconcileResult reportedOnly = null;
    for (ReconcileStep step : result == null ? steps : List.<ReconcileStep>of()) {
      if (step.name().equals(ApplyIntegrations.NAME)) {
        unwritten = Map.of(); // what this step cannot write now; kept when an earlier step fails first
      }
      try {
        changes += step.run(desired, target, correcting);
      } catch (NoLongerLeadsException e) {
        // no verdict on the revision, nor on any integration: the replica that leads now reconciles,
        // and this one's status keeps what its last pass that ended said
        unwritten = unwrittenBefore;
        LOG.infof("revision %d: the pass stopped at step %s: %s", desired.revision(), step.name(), e.getMessage());
        return ReconcileResult.leadLost(desired.revision(), step.name(), e, changes, clock.instant());
      } catch (TargetException | RuntimeException e) {
        if (e instanceof IntegrationsNotWritten some) {
          unwritten = some.reasons(unwrittenBefore);
        } else if (step.name().equals(ApplyIntegrations.NAME)) {
          // it failed before it tried any integration (the ingest tokens' Secret): none is written, and each
          // says why, as after a failed refresh (what an earlier pass said may no longer be true)
          unwritten = everyIntegration(desired,
              e.getMessage() != null ? e.getMessage() : "step " + step.name() + " failed");
        }
        ReconcileResult failed = ReconcileResult.failed(desired.revision(), step.name(), e, changes, clock.instant());
        LOG.warnf("revision %d: step %s failed: %s", desired.revision(), step.name(), failed.message());
        if (correcting && !step.stopsCorrection()) {
          reportedOnly = reportedOnly == null ? failed : reportedOnly;
          continue;
        }
        result = failed;
        break;
      }
    }
    if (result == null && reportedOnly != null) {
      result = reportedOnly;
    }
    if (result == null) {
      result = ReconcileResult.succeeded(desired.revision(), changes, clock.instant());
      if (changes > 0) {
        LOG.infof("revision %d applied: %d change(s)", desired.revision(), changes);
      }
    }
    // a check that only reported let the routes be written, with the holds planned for them
    handover.settle(result.succeeded() || result == reportedOnly);
    ReconcileResult finished = result;
    status.updateAndGet(s -> s.after(finished));
    return result;
  }

  public ReconcileStatus status() {
    return status.get();
  }

  /** Every integration of {@code desired}, each unwritten for {@code why}. */
  private static Map<String, String> everyIntegration(DataPlaneState desired, String why) {
    return desired.integrations().stream()
        .collect(Collectors.toUnmodifiableMap(Integration::name, i -> why, (a, b) -> a));
  }
}
