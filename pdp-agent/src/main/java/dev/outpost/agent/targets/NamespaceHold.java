package dev.outpost.agent.targets;

import dev.outpost.agent.snapshot.SecretAppliedStore;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * This agent's hold on its namespace, recorded on Secret {@code outpost-agent-applied} beside its
 * identity ({@link AgentIdentity}) as a Lease records its holder: when it was last renewed
 * ({@value #RENEWED_ANNOTATION}) and for how long it lasts ({@value #HOLD_SECONDS_ANNOTATION}).
 * Another release's agent keeps the namespace only while it renews its hold; the Secret of a release
 * that is gone (Argo CD adopted the claim and the old Application was deleted, a Secret without owner
 * outliving {@code helm uninstall}, a release renamed while registered anew) blocked the namespace
 * for ever. Its record left unchanged for its hold and a minute, as this agent saw it ({@link
 * HoldSighting}), it is taken over as client-go acquires a Lease: this agent writes its own record
 * at the version it read, and writes nothing else before that succeeded. A write that meets another
 * (409) reads the Secret again and decides again: the other agent may hold it now.
 *
 * <p>Not the other agent's Lease: the chart elects a leader only when it runs more than one replica
 * (a single agent holds no Lease), and its Role lets an agent read its own Lease only. The agent's
 * passes renew the hold (they read the Secret anyway), so it lasts several resync intervals; a pass
 * still under way when this agent's last renewal is as old as its hold writes nothing more ({@link
 * #beforeWrite}), as a Lease's holder stops at its renew deadline.
 */
public final class NamespaceHold {
  private static final Logger LOG = Logger.getLogger(NamespaceHold.class);
  public static final String RENEWED_ANNOTATION = "outpost.dev/agent-renewed";
  public static final String HOLD_SECONDS_ANNOTATION = "outpost.dev/agent-hold-seconds";
  /** The shortest hold: a renewal about every 5 minutes, a write of the whole Secret each. */
  static final Duration MIN_HOLD = Duration.ofMinutes(15);
  /** A hold lasts this many resync intervals: a pass renews it, the scheduled resync at the least. */
  static final int RESYNCS_PER_HOLD = 5;
  /** How much longer than its hold another agent's record must stand unchanged: its renewal waits for a pass. */
  static final Duration RENEWAL_SLACK = Duration.ofMinutes(1);
  /** The longest hold a record may give itself: a damaged one does not block the namespace for years. */
  static final Duration MAX_HOLD = Duration.ofDays(7);
  private static final Duration DEFAULT_RESYNC = Duration.ofSeconds(60);

  private final AgentIdentity identity;
  /** Whole seconds, as the record states it: a fraction never matched it, and each pass renewed. */
  private final Duration holdFor;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final HoldSighting sighting;
  /** Whether the last pass found the Secret holding this agent's snapshot; null when no pass read it. */
  private volatile Boolean kept;
  /** The renewal this agent last wrote; null before its first (a restarted agent renews at once). */
  private volatile Renewal written;
  /** When this agent last tried to write its record, by its monotonic clock: a failed try waits before the next. */
  private volatile long triedAtNanos;
  /**
   * Why a renewal mid-pass found the hold lost; null when none. Every later write is refused with it
   * until a pass's {@link #check} succeeds: the next write saw this agent's own recent renewal and,
   * in a correction (which goes on past an integration that cannot be written), wrote on.
   */
  private volatile NamespaceNotHeldException lost;

  /**
   * A renewal written: its {@value #RENEWED_ANNOTATION}, and when by this agent's monotonic clock
   * (before the request: another agent sees the record at the earliest once it is sent).
   */
  private record Renewal(String renewed, long atNanos) {}

  /** A hold renewed by passes at the default resync interval, on the system clock. */
  public NamespaceHold(AgentIdentity identity) {
    this(identity, DEFAULT_RESYNC, Clock.systemUTC());
  }

  /** @param resyncInterval how often this agent's passes run at the least ({@code outpost.agent.resync-interval}) */
  public NamespaceHold(AgentIdentity identity, Duration resyncInterval, Clock clock) {
    this(identity, resyncInterval, clock, System::nanoTime);
  }

  /**
   * @param clock what the record's renewal time is written on (read by people: agents time records
   *     on {@code nanoTime})
   */
  NamespaceHold(AgentIdentity identity, Duration resyncInterval, Clock clock, LongSupplier nanoTime) {
    this.identity = identity;
    Duration resyncs = resyncInterval.multipliedBy(RESYNCS_PER_HOLD);
    long seconds = resyncs.toSeconds() + (resyncs.getNano() > 0 ? 1 : 0);
    this.holdFor = Duration.ofSeconds(Math.min(Math.max(seconds, MIN_HOLD.toSeconds()), MAX_HOLD.toSeconds()));
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.sighting = new HoldSighting(nanoTime);
  }

  public AgentIdentity identity() {
    return identity;
  }

  /** The annotations a save writes: this agent, its hold renewed now. */
  public Map<String, String> annotations() {
    Map<String, String> annotations = new LinkedHashMap<>(identity.annotations());
    annotations.put(RENEWED_ANNOTATION, clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
    annotations.put(HOLD_SECONDS_ANNOTATION, Long.toString(holdFor.toSeconds()));
    return annotations;
  }

  /**
   * Why this agent writes nothing beside the agent {@code annotations} record: another release's agent
   * whose record changed within its hold and a minute, as this agent saw it. Empty once it did not:
   * a write of this agent's record at the version read then takes the namespace over.
   */
  public Optional<String> refusal(Map<String, String> annotations) {
    Optional<String> other = identity.otherIn(annotations);
    if (other.isEmpty()) {
      return Optional.empty();
    }
    Duration lapse = heldFor(annotations).plus(RENEWAL_SLACK);
    return sighting.unchangedFor(annotations).compareTo(lapse) < 0 ? Optional.of(refused(other.get(), lapse))
        : Optional.empty();
  }

  /**
   * Why nothing is written beside {@code otherAgent}, and how an operator frees the namespace; told
   * in every integration's status, so it names the agent (its Lease) and not its data plane.
   */
  static String refused(String otherAgent, Duration lapse) {
    // each agent would prune the other's integrations: one release per namespace
    return "Secret " + KubernetesNames.APPLIED_SECRET + " is kept by agent " + otherAgent + ", another Outpost"
        + " release in this namespace: nothing is written here while it renews its hold; taken over once no"
        + " renewal is seen for " + lapse.toMinutes() + " min, or at once after: kubectl delete secret "
        + KubernetesNames.APPLIED_SECRET;
  }

  /**
   * Reads Secret {@code outpost-agent-applied} (one GET, in each pass) and throws, saying why nothing
   * is written, while another release's agent holds the namespace ({@link NamespaceNotHeldException};
   * {@link SecretUnreadable} when it cannot be read). Before the pass writes anything,
   * records this agent's hold where none is (no Secret, or one that records no agent) or another's
   * has lapsed, and renews its own once a third of it has passed; each at the version read.
   * Remembers whether the Secret held this agent's snapshot ({@link #keptAtLastPass}).
   *
   * @param owner the namespace claim, owner of a Secret created here (deleted with the release)
   */
  void check(KubernetesClient client, String namespace, Optional<OwnerReference> owner) throws TargetException {
    kept = null;
    for (int attempt = 1; ; attempt++) {
      Secret applied = read(client, namespace);
      Map<String, String> annotations = applied == null ? null : applied.getMetadata().getAnnotations();
      Optional<String> refusal = applied == null ? Optional.empty() : refusal(annotations);
      if (refusal.isPresent()) {
        kept = false;
        throw new NamespaceNotHeldException(refusal.get());
      }
      boolean recorded = applied != null && identity.recordedIn(annotations);
      try {
        if (applied == null) {
          write(client, NamespaceClaim.owned(recordOnly(namespace), owner), false);
        } else if (identity.otherIn(annotations).isPresent()) {
          takeOver(client, applied);
        } else if (!recorded) {
          recordOn(client, applied);
        } else if (renewalDue(annotations)) {
          write(client, new SecretBuilder(applied).editMetadata().addToAnnotations(annotations()).endMetadata().build(), true);
        }
        kept = recorded && holdsSnapshot(annotations);
        lost = null;
        return;
      } catch (KubernetesClientException e) {
        boolean conflict = e.getCode() == HttpURLConnection.HTTP_CONFLICT;
        if (conflict && attempt < ObjectApplier.MAX_ATTEMPTS) {
          continue; // written in between, maybe by another agent that holds the namespace now: decide again
        }
        if (conflict || !recorded || !stillHeld(annotations)) {
          throw new NamespaceNotHeldException("cannot record this agent's hold on Secret " + KubernetesNames.APPLIED_SECRET + ": "
              + ObjectApplier.reason(e) + "; nothing is written here until it can", e);
        }
        kept = holdsSnapshot(annotations);
        lost = null;
        LOG.warnf("cannot renew this agent's hold on Secret %s (%s): tried again at the next pass",
            KubernetesNames.APPLIED_SECRET, ObjectApplier.reason(e));
        return;
      }
    }
  }

  /**
   * Before each write of a pass, without a request: throws once this agent's last renewal is as old
   * as its hold, as a Lease's holder stops leading at its renew deadline, since another release's
   * agent may have taken the namespace over while this one was stopped (SIGSTOP, a long GC, a pass
   * against a slow API server); the pass fails there, as it does when another agent holds the
   * namespace, and its revision is tried again after the backoff, whose first step reads the Secret
   * anew (not "no longer leads": no other replica of this release would apply it, and the control
   * plane sends no nacked revision again). Renews the hold once a third of it has passed ({@link
   * #check}, one read and one write), and fails the pass when another agent holds it now, or its own
   * record was replaced or keeps conflicting (a renewal failing otherwise while the hold lasts writes
   * on); every write after that fails too, until a pass's check succeeds.
   *
   * @param owner the namespace claim, owner of a Secret created here
   */
  void beforeWrite(KubernetesClient client, String namespace, Optional<OwnerReference> owner)
      throws TargetException {
    NamespaceNotHeldException lostMidPass = lost;
    if (lostMidPass != null) {
      throw new NamespaceNotHeldException(lostMidPass.getMessage(), lostMidPass.getCause());
    }
    Renewal last = written;
    long now = nanoTime.getAsLong();
    if (last == null || now - last.atNanos() >= holdFor.toNanos()) {
      throw new NamespaceNotHeldException("not written: this agent's hold on the namespace (Secret " + KubernetesNames.APPLIED_SECRET
          + ") was last renewed " + (last == null ? "never" : Duration.ofNanos(now - last.atNanos()).toSeconds() + " s ago")
          + ", and lasts " + holdFor.toSeconds() + " s: another Outpost release's agent may have taken the namespace over;"
          + " the next pass reads the Secret again");
    }
    if (now - triedAtNanos < holdFor.dividedBy(3).toNanos()) {
      return;
    }
    triedAtNanos = now;
    Boolean keptBefore = kept;
    try {
      check(client, namespace, owner);
    } catch (SecretUnreadable e) {
      kept = keptBefore;
      LOG.warnf("cannot renew this agent's hold on the namespace in this pass (%s): it writes on while the hold lasts",
          e.getMessage());
    } catch (NamespaceNotHeldException e) {
      lost = e;
      throw e;
    }
  }

  /** The Secret could not be read: its hold is not known to be lost. */
  private static final class SecretUnreadable extends TargetException {
    SecretUnreadable(KubernetesClientException e) {
      super("cannot read Secret " + KubernetesNames.APPLIED_SECRET + ": " + ObjectApplier.reason(e), e);
    }
  }

  private static Secret read(KubernetesClient client, String namespace) throws TargetException {
    try {
      return client.secrets().inNamespace(namespace).withName(KubernetesNames.APPLIED_SECRET).get();
    } catch (KubernetesClientException e) {
      throw new SecretUnreadable(e);
    }
  }

  /** Another agent's lapsed hold, replaced by this agent's record (its revision was another data plane's). */
  private void takeOver(KubernetesClient client, Secret applied) {
    Map<String, String> other = applied.getMetadata().getAnnotations();
    write(client, new SecretBuilder(applied).editMetadata().withAnnotations(annotations()).endMetadata().build(), true);
    LOG.warnf("Secret %s recorded agent %s of data plane %s, another Outpost release, whose hold on this namespace"
        + " (%d s) this agent saw go unrenewed: its release is gone, and this agent takes the namespace over",
        KubernetesNames.APPLIED_SECRET, other.get(AgentIdentity.AGENT_ANNOTATION),
        other.get(AgentIdentity.DATA_PLANE_ANNOTATION), heldFor(other).toSeconds());
  }

  /**
   * A Secret that records no other agent, nor this one (its annotations removed by hand, restored
   * from a manifest without them, or this release's agent of a data plane registered anew), gets this
   * agent's record at the version read, as a take-over does: had each agent written on, both would
   * have written, each pass pruning the other's integrations. The snapshot stays; its revision goes
   * when the Secret names another data plane, whose revisions are not this one's.
   */
  private void recordOn(KubernetesClient client, Secret applied) {
    Map<String, String> found = applied.getMetadata().getAnnotations() == null ? Map.of()
        : applied.getMetadata().getAnnotations();
    Map<String, String> annotations = new LinkedHashMap<>(found);
    String dataPlane = found.get(AgentIdentity.DATA_PLANE_ANNOTATION);
    if (dataPlane != null && !dataPlane.equals(identity.dataPlane())) {
      annotations.remove(SecretAppliedStore.REVISION_ANNOTATION);
    }
    annotations.putAll(annotations());
    write(client, new SecretBuilder(applied).editMetadata().withAnnotations(annotations).endMetadata().build(), true);
    LOG.infof("Secret %s recorded %s: this agent recorded itself on it before writing anything else",
        KubernetesNames.APPLIED_SECRET, found.get(AgentIdentity.AGENT_ANNOTATION) == null ? "no agent"
            : "agent " + found.get(AgentIdentity.AGENT_ANNOTATION) + " of data plane " + dataPlane);
  }

  /** The Secret holding this agent's record and no snapshot yet: the store saves one after the pass. */
  private Secret recordOnly(String namespace) {
    return new SecretBuilder().withNewMetadata().withName(KubernetesNames.APPLIED_SECRET).withNamespace(namespace)
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)).withAnnotations(annotations())
        .endMetadata().withType("Opaque").build();
  }

  /** Creates {@code secret}, or updates it at its {@code resourceVersion} (409 when written since). */
  private void write(KubernetesClient client, Secret secret, boolean update) {
    long sent = nanoTime.getAsLong();
    triedAtNanos = sent;
    if (update) {
      client.resource(secret).update();
    } else {
      client.resource(secret).create();
    }
    wrote(secret.getMetadata().getAnnotations(), sent);
  }

  /**
   * Whether a save wrote the Secret (each sets the revision): the record alone, which this agent
   * writes in a Secret it found gone or took over, holds no snapshot of its own.
   */
  private static boolean holdsSnapshot(Map<String, String> annotations) {
    return annotations != null && annotations.containsKey(SecretAppliedStore.REVISION_ANNOTATION);
  }

  private void wrote(Map<String, String> annotations, long sentNanos) {
    written = new Renewal(annotations.get(RENEWED_ANNOTATION), sentNanos);
  }

  /**
   * Whether the last pass found the Secret holding this agent's snapshot, without reading it again:
   * false when it was gone (deleted by hand, or with the claim) or another's; empty when no pass read it.
   */
  public Optional<Boolean> keptAtLastPass() {
    return Optional.ofNullable(kept);
  }

  /**
   * The store saved the Secret with {@code annotations} (this agent's record, renewed): so the pass
   * that read it would have found it now.
   */
  public void saved(Map<String, String> annotations) {
    long now = nanoTime.getAsLong();
    triedAtNanos = now;
    wrote(annotations, now);
    if (kept != null) {
      kept = true; // a store no pass reads is not known to be kept: it may be deleted any time unseen
    }
  }

  /** Due when the record is not the one this agent last wrote, or a third of the hold has passed since. */
  private boolean renewalDue(Map<String, String> annotations) {
    Renewal last = written;
    return last == null || !last.renewed().equals(annotations.get(RENEWED_ANNOTATION))
        || !Long.toString(holdFor.toSeconds()).equals(annotations.get(HOLD_SECONDS_ANNOTATION))
        || since(last).compareTo(holdFor.dividedBy(3)) >= 0;
  }

  /**
   * Whether another agent still sees this agent's record renewed within its hold, though the renewal
   * just failed: the pass writes on only then, as a Lease's holder stops before its lease runs out.
   */
  private boolean stillHeld(Map<String, String> annotations) {
    Renewal last = written;
    return last != null && last.renewed().equals(annotations.get(RENEWED_ANNOTATION))
        && since(last).compareTo(holdFor) < 0;
  }

  private Duration since(Renewal renewal) {
    return Duration.ofNanos(nanoTime.getAsLong() - renewal.atNanos());
  }

  /** The hold the record gives itself; the shortest when it gives none that can be read. */
  private static Duration heldFor(Map<String, String> annotations) {
    String value = annotations == null ? null : annotations.get(HOLD_SECONDS_ANNOTATION);
    try {
      long seconds = value == null ? 0 : Long.parseLong(value);
      return seconds > 0 ? Duration.ofSeconds(Math.min(seconds, MAX_HOLD.toSeconds())) : MIN_HOLD;
    } catch (NumberFormatException damaged) {
      return MIN_HOLD;
    }
  }
}
