package dev.outpost.agent;

import dev.outpost.agent.audit.AuditEvent;
import dev.outpost.agent.audit.AuditLog;
import dev.outpost.agent.reconcile.ReconcileResult;
import dev.outpost.agent.reconcile.ReconcileStatus;
import dev.outpost.agent.reconcile.Reconciler;
import dev.outpost.agent.reconcile.TransientFailure;
import dev.outpost.agent.snapshot.AppliedStore;
import dev.outpost.agent.snapshot.NewerRevisionStoredException;
import dev.outpost.agent.status.StatusReporter;
import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.protocol.Ack;
import dev.outpost.spec.protocol.MalformedFrameException;
import dev.outpost.spec.protocol.Nack;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.ProtocolMessage;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.SnapshotAcceptance;
import dev.outpost.spec.protocol.SnapshotRejectedException;
import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.state.Violation;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The agent's one source of truth: the last snapshot it applied. It decides on every snapshot
 * (zero trust: signature, revision, validity — otherwise a {@code nack} and nothing changes),
 * applies an accepted one and only then persists it, records every decision in the audit log, and
 * keeps the target reconciled to the applied state — on restart (static stability), on a schedule
 * and when drift is seen. Calls are serialized.
 */
public final class DesiredStateKeeper {
  private static final Logger LOG = Logger.getLogger(DesiredStateKeeper.class);

  /** The most problems one nack lists; a last entry counts the rest. */
  static final int MAX_LISTED_ERRORS = 100;

  private final String dataPlane;
  private final SnapshotAcceptance acceptance;
  private final AppliedStore store;
  private final Reconciler reconciler;
  private final AuditLog audit;
  private final StatusReporter status;
  private final Clock clock;
  /** Volatile so that {@link #lastAppliedRevision()} need not wait for an apply in progress. */
  private volatile Snapshot applied;
  private DataPlaneState desired;
  /** Volatile: read without the lock (a Prometheus scrape must not wait for an apply); written under it. */
  private volatile long lastAttemptedRevision;
  /**
   * The revision of a stored snapshot that was refused at restore (signed by a key since unpinned,
   * say): nothing is enforced then, but no older revision may be accepted either, or any older
   * validly signed snapshot could be replayed. 0 when none.
   */
  private long storedRevisionFloor;
  private final RetryBackoff retryBackoff;
  /**
   * The newest revision's failed apply, null when none; tried again when it failed in a way that may
   * pass. Volatile: health and a Prometheus scrape read it without waiting for an apply.
   */
  private volatile FailedApply failed;
  /** Whether the store may have lost the enforced snapshot since it was saved ({@link #keepStored}). */
  private boolean storeToCheck;

  public DesiredStateKeeper(String dataPlane, SnapshotAcceptance acceptance, AppliedStore store,
      Reconciler reconciler, AuditLog audit, StatusReporter status, Clock clock) {
    this(dataPlane, acceptance, store, reconciler, audit, status, clock, RetryBackoff.DEFAULT);
  }

  public DesiredStateKeeper(String dataPlane, SnapshotAcceptance acceptance, AppliedStore store,
      Reconciler reconciler, AuditLog audit, StatusReporter status, Clock clock, RetryBackoff retryBackoff) {
    this.retryBackoff = retryBackoff;
    this.dataPlane = dataPlane;
    this.acceptance = acceptance;
    this.store = store;
    this.reconciler = reconciler;
    this.audit = audit;
    this.status = status;
    this.clock = clock;
  }

  /**
   * Restores the persisted snapshot, verifying it again as if it had just arrived (a tampered or
   * foreign file is refused), and enforces it. Nothing changes when there is none, when it is
   * refused or when it cannot be read; what was enforced before is forgotten in each case.
   */
  public synchronized Optional<ReconcileResult> restore() throws IOException {
    // The store is the truth: what this keeper held may be older than what another replica applied
    // while this one did not lead, and enforcing it would roll the cluster back.
    applied = null;
    desired = null;
    storedRevisionFloor = 0;
    failed = null;
    storeToCheck = false;
    Optional<String> saved = store.load();
    if (saved.isEmpty()) {
      LOG.info("no applied snapshot yet: waiting for the control plane");
      return Optional.empty();
    }
    Snapshot snapshot;
    try {
      if (!(ProtocolCodec.decode(saved.get()) instanceof Snapshot decoded)) {
        LOG.error("the persisted applied snapshot is not a snapshot message: ignored");
        return Optional.empty();
      }
      snapshot = decoded;
    } catch (MalformedFrameException e) {
      LOG.errorf("the persisted applied snapshot cannot be read (%s): nothing is changed until the control plane sends one",
          e.getMessage());
      return Optional.empty();
    }
    try {
      DataPlaneState state = acceptance.accept(snapshot, 0);
      applied = snapshot;
      desired = state;
      lastAttemptedRevision = Math.max(lastAttemptedRevision, state.revision());
      LOG.infof("restored applied snapshot revision %d", state.revision());
      return Optional.of(reconciler.correct(state));
    } catch (SnapshotRejectedException e) {
      // this data plane's snapshot refused for its signature (its key since unpinned), or signed and
      // refused by a validation rule added since it was applied: the revision it kept is still a
      // floor; another data plane's numbering is none. The frame's own revision is not signed: when
      // the signature verified and only that number disagrees (edited, a bit flipped), the state's
      // is the signed one; an edited frame's number made the control plane's next revisions refused
      if (ofThisDataPlane(snapshot)) {
        long floor = SnapshotAcceptance.refusedForItsUnsignedRevision(e)
            ? snapshot.state().path("revision").asLong(0) : snapshot.revision();
        storedRevisionFloor = Math.min(Math.max(0, floor), CanonicalJson.MAX_SAFE_INTEGER);
        LOG.errorf("the persisted applied snapshot is refused (%s): nothing is changed until the control plane sends "
            + "revision %d or newer", e.getMessage(), storedRevisionFloor);
      } else {
        LOG.errorf("the persisted applied snapshot is refused (%s): nothing is changed until the control plane sends one",
            e.getMessage());
      }
      return Optional.empty();
    }
  }

  /**
   * The revision being enforced, 0 when none: what {@code hello} reports. Does not wait for an
   * apply in progress (it answers the revision enforced until that apply completes).
   */
  public long lastAppliedRevision() {
    Snapshot enforced = applied;
    return enforced == null ? 0 : enforced.revision();
  }

  public synchronized Optional<DataPlaneState> desired() {
    return Optional.ofNullable(desired);
  }

  /** Whether a route moves to another integration in steps that further passes take ({@link Reconciler#handingOver}). */
  public boolean handingOver() {
    return reconciler.handingOver();
  }

  public ReconcileStatus reconcileStatus() {
    return reconciler.status();
  }

  /**
   * Answers a frame that claimed to be a snapshot but could not be read with a {@code nack} of its
   * problems, at its revision, or at revision 0 when that could not be read or is out of the
   * protocol's range (PROTOCOL.md section 3.4): it went unanswered, and the control plane never
   * learned why its snapshot did nothing. Nothing changes either way.
   *
   * @param revision the revision the frame claims, 0 when none could be read
   */
  public synchronized Nack onMalformedSnapshot(long revision, MalformedFrameException problem) {
    // its signature cannot even be checked: answered, but not counted as attempted
    return reject(new SnapshotRejectedException(Math.max(0, revision), problem.violations()), false);
  }

  /**
   * Decides on one snapshot (PROTOCOL.md, sections 5 and 6) and applies it when accepted: apply,
   * then persist the frame as received, then {@code ack}. A refused snapshot, or one whose apply
   * fails, gets a {@code nack}; the last applied snapshot stays the one enforced, and what a failed
   * apply already changed is put back.
   *
   * @param frame the snapshot frame exactly as received, which is what gets persisted
   * @return the reply: {@code ack} or {@code nack}
   */
  public synchronized ProtocolMessage onSnapshot(Snapshot snapshot, String frame) {
    if (snapshot.revision() > CanonicalJson.MAX_SAFE_INTEGER) {
      // Protocol numbers stop at 2^53 - 1: echoing a larger revision (or reporting it as attempted)
      // would put a number in every later nack and status that the control plane cannot read exactly.
      return reject(new SnapshotRejectedException(0, List.of(new Violation("revision",
          "must be at most " + CanonicalJson.MAX_SAFE_INTEGER + " (2^53 - 1), found " + snapshot.revision()))));
    }
    DataPlaneState state;
    try {
      // with nothing enforced after a refused restore, the stored revision itself may come again (re-signed)
      long floor = applied != null ? lastAppliedRevision() : Math.max(0, storedRevisionFloor - 1);
      state = acceptance.accept(snapshot, floor);
    } catch (SnapshotRejectedException e) {
      // Only a copy that passed the signature check (refused later, at its revision) is a redelivery:
      // acking one signed by an untrusted key would tell the control plane that key is trusted.
      if (refusedOnlyForItsRevision(e) && SnapshotAcceptance.isRedelivery(snapshot, applied)) {
        LOG.debugf("snapshot revision %d received again: already applied", snapshot.revision());
        keepNewestSignature(snapshot, frame);
        return new Ack(snapshot.revision());
      }
      // a revision nobody signed, or signed for another data plane, is not one the control plane
      // attempted here: it would stay in every later status
      return reject(e, !refusedForItsSignature(e) && !refusedForItsDataPlane(e));
    }
    Decided before = new Decided(lastAttemptedRevision, failed);
    lastAttemptedRevision = Math.max(lastAttemptedRevision, snapshot.revision());
    failed = null;
    return apply(snapshot, frame, state, 0, before);
  }

  /** What was decided before an apply, and stays so when the apply ends without a verdict ({@link #undecided}). */
  private record Decided(long attemptedRevision, FailedApply failed) {}

  /**
   * Applies an accepted snapshot, then persists it; a failure that may pass if tried again is kept
   * for {@link #retryIfDue}.
   *
   * @param attempts how many times it failed before
   * @param before what was decided before it, kept when the pass stops because this replica no longer leads
   */
  private ProtocolMessage apply(Snapshot snapshot, String frame, DataPlaneState state, int attempts,
      Decided before) {
    try {
      store.checkStorable(frame);
    } catch (IOException e) {
      return reject(new SnapshotRejectedException(snapshot.revision(),
          List.of(new Violation("", "cannot be kept, so it was not applied: " + e.getMessage()))));
    }
    ReconcileResult result = reconciler.reconcile(state);
    if (result.leadLost()) {
      return undecided(snapshot, before);
    }
    if (!result.succeeded()) {
      String after = putBackEnforced(snapshot.revision(), result.mayHaveChanged(),
          "partly applied: what it wrote before failing stays, as no earlier revision is known to put back;"
              + " send it again or a corrected one");
      String retry = keepFailure(snapshot, frame, state, attempts, result.failedStep(), result.message(),
          result.transientFailure());
      return reject(new SnapshotRejectedException(snapshot.revision(), List.of(new Violation("",
          "apply failed at step " + result.failedStep() + ": " + result.message() + "; " + after + retry))));
    }
    try {
      store.save(frame, snapshot.revision());
    } catch (NewerRevisionStoredException e) {
      // another replica leads now and enforces that newer revision: putting this one's back would fight it
      LOG.errorf("snapshot revision %d not kept: %s", snapshot.revision(), e.getMessage());
      return reject(new SnapshotRejectedException(snapshot.revision(),
          List.of(new Violation("", "not kept: " + e.getMessage()))));
    } catch (IOException e) {
      LOG.errorf("cannot persist snapshot revision %d: %s", snapshot.revision(), e.getMessage());
      String after = putBackEnforced(snapshot.revision(), result.mayHaveChanged(),
          "applied: what it wrote stays, as no earlier revision is known to put back, and a restart does not restore it");
      String retry = keepFailure(snapshot, frame, state, attempts, "persist", e.getMessage(), TransientFailure.ofWrite(e));
      return reject(new SnapshotRejectedException(snapshot.revision(),
          List.of(new Violation("", "could not be persisted, so it was not kept: " + e.getMessage() + "; " + after
              + retry))));
    }
    applied = snapshot;
    desired = state;
    if (attempts > 0) {
      LOG.infof("revision %d applied at attempt %d", snapshot.revision(), attempts + 1);
    }
    audit.record(new AuditEvent(true, snapshot.revision(), dataPlane, List.of(), clock.instant()));
    return new Ack(snapshot.revision());
  }

  /**
   * A pass stopped because this replica no longer leads ({@link ReconcileResult#leadLost}): no verdict on
   * the revision, so it is not refused (no audit event, not attempted, not kept to try again), and
   * nothing is put back by a replica that may no longer write: the one that leads now applies the newest
   * revision, which the control plane sends it after its hello. The nack is for a connection that is
   * closing as this replica stops applying.
   */
  private Nack undecided(Snapshot snapshot, Decided before) {
    lastAttemptedRevision = before.attemptedRevision();
    failed = before.failed();
    LOG.infof("revision %d not applied: this agent no longer leads; the replica that leads applies it", snapshot.revision());
    return new Nack(snapshot.revision(), List.of(new Violation("", "not applied: this agent no longer leads (its Lease"
        + " was lost, or it is stopping); the replica that leads now applies the newest revision")));
  }

  /**
   * Keeps a failed apply, for health, and to try again after the backoff when it may pass, as Flux
   * retries a failed reconciliation: the control plane does not send a nacked revision again
   * (PROTOCOL.md, section 4), so a Secret that External Secrets creates a moment later, or an API
   * server that answered 503 for a minute, left the revision unapplied until the next one. Says
   * when it is tried again, for the nack.
   */
  private String keepFailure(Snapshot snapshot, String frame, DataPlaneState state, int attempts, String step,
      String message, boolean tryAgain) {
    Duration delay = retryBackoff.after(attempts + 1);
    Optional<Instant> next = tryAgain ? Optional.of(clock.instant().plus(delay)) : Optional.empty();
    // due by the monotonic clock: a wall clock stepped back an hour held the retry an hour longer
    failed = new FailedApply(snapshot, frame, state, new ApplyFailure(snapshot.revision(), attempts + 1, step,
        message, next), System.nanoTime() + delay.toNanos());
    String after = delay.toMillis() % 1000 == 0 ? delay.toSeconds() + " s" : delay.toMillis() + " ms";
    return tryAgain ? "; tried again in " + after + " unless a newer revision comes" : "";
  }

  /**
   * Tries the failed apply of the newest revision again once its backoff has passed; an {@code ack}
   * when it applied, for the control plane, which had its {@code nack}. Nothing when none is due, or
   * when it failed again (told in the status and the log, not in a second nack).
   */
  public synchronized Optional<Ack> retryIfDue() {
    FailedApply retry = failed;
    if (retry == null || retry.snapshot().revision() != lastAttemptedRevision
        || retry.failure().nextAttemptAt().isEmpty() || System.nanoTime() - retry.dueNanos() < 0) {
      return Optional.empty();
    }
    failed = null;
    ApplyFailure failure = retry.failure();
    LOG.infof("revision %d: trying the apply again (attempt %d), after step %s failed: %s", failure.revision(),
        failure.attempts() + 1, failure.failedStep(), failure.failure());
    return apply(retry.snapshot(), retry.frame(), retry.state(), failure.attempts(),
        new Decided(lastAttemptedRevision, retry)) instanceof Ack ack ? Optional.of(ack) : Optional.empty();
  }

  /**
   * Why the newest revision attempted did not apply, when its apply failed (not when it was
   * refused): the put-back of the enforced revision that follows leaves the reconciler's own status
   * ready. Does not wait for an apply in progress.
   */
  public Optional<ApplyFailure> applyFailure() {
    FailedApply last = failed;
    return last == null || last.snapshot().revision() != lastAttemptedRevision
        ? Optional.empty() : Optional.of(last.failure());
  }

  /**
   * The newest revision's failed apply.
   *
   * @param revision its revision
   * @param attempts how many times in a row it failed
   * @param failedStep where the last attempt failed
   * @param failure why
   * @param nextAttemptAt when it is tried again; empty when it would fail the same way
   */
  public record ApplyFailure(long revision, int attempts, String failedStep, String failure,
      Optional<Instant> nextAttemptAt) {}

  /** @param dueNanos when it is tried again, by {@link System#nanoTime} */
  private record FailedApply(Snapshot snapshot, String frame, DataPlaneState state, ApplyFailure failure,
      long dueNanos) {}

  /**
   * A redelivery signed otherwise (a rotated key) replaces the persisted frame: once the old key is
   * unpinned, a restart must still verify the snapshot that runs rather than refuse it.
   */
  private void keepNewestSignature(Snapshot snapshot, String frame) {
    if (snapshot.signature().equals(applied.signature())) {
      return;
    }
    try {
      store.save(frame, snapshot.revision());
      applied = snapshot;
      LOG.infof("snapshot revision %d persisted again, signed by key %s", snapshot.revision(),
          snapshot.signature().keyId());
    } catch (IOException e) {
      LOG.warnf("cannot persist snapshot revision %d signed by key %s: %s", snapshot.revision(),
          snapshot.signature().keyId(), e.getMessage());
    }
  }

  private static boolean refusedOnlyForItsRevision(SnapshotRejectedException e) {
    return e.errors().size() == 1 && "revision".equals(e.errors().get(0).path());
  }

  private boolean ofThisDataPlane(Snapshot snapshot) {
    return snapshot.state() != null && dataPlane.equals(snapshot.state().path("dataPlane").asText(null));
  }

  /** Signed for another data plane (SnapshotAcceptance checks the state's dataPlane after the signature). */
  private static boolean refusedForItsDataPlane(SnapshotRejectedException e) {
    return e.errors().stream().anyMatch(v -> "state.dataPlane".equals(v.path()));
  }

  /** Refused at the signature check, which is the first and stops the others (SnapshotAcceptance). */
  private static boolean refusedForItsSignature(SnapshotRejectedException e) {
    return e.errors().stream().anyMatch(v -> "signature".equals(v.path()));
  }

  /**
   * A failed apply may have stopped halfway (some integrations at the new revision): reconcile back
   * to the enforced state at once, so that a nack means nothing running changed. With no earlier
   * revision (a first apply) there is nothing to put back, and what was written stays: removing it
   * could remove objects from before the agent's state was lost. Says which of these happened, for
   * the nack ({@code leftWithNothingToPutBack} when something may have changed and nothing can be
   * put back): the control plane must not read "nothing changed" when something did.
   */
  private String putBackEnforced(long failedRevision, boolean mayHaveChanged, String leftWithNothingToPutBack) {
    if (desired == null) {
      if (!mayHaveChanged) {
        return "nothing was changed";
      }
      LOG.warnf("revision %d: %s", failedRevision, leftWithNothingToPutBack);
      return leftWithNothingToPutBack;
    }
    ReconcileResult back = reconciler.correct(desired);
    if (back.leadLost()) {
      LOG.infof("after revision %d failed, putting back revision %d stopped: %s", failedRevision, desired.revision(),
          back.message());
      return "revision " + desired.revision() + " is put back by the replica that leads now";
    }
    if (!back.succeeded()) {
      LOG.errorf("after revision %d failed, putting back revision %d failed too at step %s: %s", failedRevision,
          desired.revision(), back.failedStep(), back.message());
      return "putting back revision " + desired.revision() + " failed too, at step " + back.failedStep()
          + ": the data plane runs parts of both";
    }
    return "revision " + desired.revision() + " was put back";
  }

  private Nack reject(SnapshotRejectedException rejected) {
    return reject(rejected, true);
  }

  /** @param attempted whether the revision counts as attempted: a signed one, not one anybody could send */
  private Nack reject(SnapshotRejectedException rejected, boolean attempted) {
    SnapshotRejectedException e = listedAtMost(MAX_LISTED_ERRORS, rejected);
    LOG.warnf("%s", e.getMessage());
    if (attempted) {
      lastAttemptedRevision = Math.max(lastAttemptedRevision, e.revision());
    }
    audit.record(new AuditEvent(false, e.revision(), dataPlane,
        e.errors().stream().map(Violation::toString).toList(), clock.instant()));
    return e.toNack();
  }

  /**
   * A broken state can have many times its own size in problems (every field of thousands of
   * integrations); the first ones are enough to fix it, and listing all could make the nack larger
   * than the protocol's 16 MiB frame limit, so the control plane would drop the connection instead.
   */
  private static SnapshotRejectedException listedAtMost(int max, SnapshotRejectedException e) {
    return e.errors().size() <= max ? e : new SnapshotRejectedException(e.revision(), Problems.firstOf(max, e.errors()));
  }

  /**
   * Reconciles the target to the enforced state again: drift correction, and another try at a
   * correction that failed. A failed newer revision is tried again by {@link #retryIfDue}.
   */
  public synchronized Optional<ReconcileResult> resync() {
    if (desired == null) {
      return Optional.empty();
    }
    ReconcileResult result = reconciler.correct(desired);
    keepStored(result);
    return Optional.of(result);
  }

  /**
   * Saves the enforced snapshot again when the store lost it: Secret outpost-agent-applied is owned
   * by the namespace claim and deleted with it, and the resync that put the integrations back once
   * the claim was back did not put it back, so a restart enforced nothing until the control plane
   * answered. In Kubernetes the pass has just read the Secret, so after every correction that
   * succeeded, a Secret deleted on its own (or another agent's, taken over) is saved again at no
   * further read; a store no pass reads is looked at (one read) after a correction that follows a
   * failed pass or changed something, as one that put back what was deleted does.
   */
  private void keepStored(ReconcileResult result) {
    if (!result.succeeded() || result.changes() > 0) {
      storeToCheck = true;
    }
    if (!result.succeeded()) {
      return;
    }
    Optional<Boolean> kept = store.keptAtLastPass();
    if (kept.isEmpty() && !storeToCheck) {
      return;
    }
    try {
      if (kept.isPresent() ? !kept.get() : store.load().isEmpty()) {
        store.save(ProtocolCodec.encode(applied), applied.revision());
        LOG.infof("snapshot revision %d persisted again: the store no longer held it (deleted, or another"
            + " agent's taken over)", applied.revision());
      }
      storeToCheck = false;
    } catch (NewerRevisionStoredException e) {
      storeToCheck = false; // another replica leads and keeps its own
    } catch (IOException e) {
      LOG.warnf("cannot check or persist again snapshot revision %d: %s", applied.revision(), e.getMessage());
    }
  }

  /** The newest revision decided on (applied, refused or failed), 0 when none; never waits for an apply. */
  public long lastAttemptedRevision() {
    return Math.max(lastAttemptedRevision, lastAppliedRevision());
  }

  /** The current status, without a sequence number. */
  public Status observeStatus() {
    DataPlaneState state;
    long appliedRevision;
    long attemptedRevision;
    synchronized (this) {
      state = desired;
      appliedRevision = lastAppliedRevision();
      attemptedRevision = lastAttemptedRevision();
    }
    return status.observe(state, appliedRevision, attemptedRevision, reconciler.waitingRoutes(), reconciler.unwritten());
  }
}
