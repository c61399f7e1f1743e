package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * This agent's hold on its namespace, recorded on Secret {@code outpost-agent-applied} beside its
 * identity ({@link AgentIdentity}) as a Lease records its holder: when it was last renewed
 * ({@value #RENEWED_ANNOTATION}) and for how long it lasts ({@value #HOLD_SECONDS_ANNOTATION}).
 * Another release's agent keeps the namespace only while it renews its hold; the Secret of a release
 * that is gone (Argo CD adopted the claim and the old Application was deleted, a Secret without owner
 * outliving {@code helm uninstall}, a release renamed while registered anew) blocked the namespace
 * for ever. Not renewed within its hold, it is taken over: this agent writes, and its next save
 * records it instead.
 *
 * <p>Not the other agent's Lease: the chart elects a leader only when it runs more than one replica
 * (a single agent holds no Lease), and its Role lets an agent read its own Lease only. The agent's
 * passes renew the hold (they read the Secret anyway), so it lasts several resync intervals.
 */
public final class NamespaceHold {
  private static final Logger LOG = Logger.getLogger(NamespaceHold.class);
  public static final String RENEWED_ANNOTATION = "outpost.dev/agent-renewed";
  public static final String HOLD_SECONDS_ANNOTATION = "outpost.dev/agent-hold-seconds";
  /** The shortest hold: a renewal about every 5 minutes, a write of the whole Secret each. */
  static final Duration MIN_HOLD = Duration.ofMinutes(15);
  /** A hold lasts this many resync intervals: a pass renews it, the scheduled resync at the least. */
  static final int RESYNCS_PER_HOLD = 5;
  /** How far the clocks of two agents' nodes may disagree: one judges what the other wrote. */
  static final Duration CLOCK_SLACK = Duration.ofMinutes(1);
  /** The longest hold a record may give itself: a damaged one does not block the namespace for years. */
  static final Duration MAX_HOLD = Duration.ofDays(7);
  private static final Duration DEFAULT_RESYNC = Duration.ofSeconds(60);

  private final AgentIdentity identity;
  private final Duration holdFor;
  private final Clock clock;
  /** Whether the last pass found the Secret recording this agent; null when no pass read it. */
  private volatile Boolean kept;
  /** The agent last taken over from, so that it is logged once. */
  private volatile String takenOver;

  /** A hold renewed by passes at the default resync interval, on the system clock. */
  public NamespaceHold(AgentIdentity identity) {
    this(identity, DEFAULT_RESYNC, Clock.systemUTC());
  }

  /** @param resyncInterval how often this agent's passes run at the least ({@code outpost.agent.resync-interval}) */
  public NamespaceHold(AgentIdentity identity, Duration resyncInterval, Clock clock) {
    this.identity = identity;
    Duration resyncs = resyncInterval.multipliedBy(RESYNCS_PER_HOLD);
    this.holdFor = resyncs.compareTo(MIN_HOLD) > 0 ? resyncs : MIN_HOLD;
    this.clock = clock;
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
   * that renewed its hold within it. One that did not is taken over (said once in the log).
   */
  public Optional<String> refusal(Map<String, String> annotations) {
    Optional<String> other = identity.otherIn(annotations);
    if (other.isEmpty()) {
      return Optional.empty();
    }
    Optional<Instant> renewed = renewed(annotations);
    Duration held = heldFor(annotations);
    if (renewed.isPresent() && clock.instant().isBefore(renewed.get().plus(held).plus(CLOCK_SLACK))) {
      return Optional.of(refused(other.get(), held));
    }
    if (!other.get().equals(takenOver)) {
      takenOver = other.get();
      LOG.warnf("Secret %s records agent %s of data plane %s, another Outpost release, which %s: its release is"
          + " gone, and this agent takes the namespace over (its next save records it)", KubernetesNames.APPLIED_SECRET,
          other.get(), annotations.get(AgentIdentity.DATA_PLANE_ANNOTATION), renewed.map(r -> "has not renewed its"
              + " hold on this namespace since " + r + " (a hold of " + held.toSeconds() + " s)")
              .orElse("never renewed a hold on this namespace"));
    }
    return Optional.empty();
  }

  /**
   * Why nothing is written beside {@code otherAgent}, and how an operator frees the namespace; told
   * in every integration's status, so it names the agent (its Lease) and not its data plane.
   */
  static String refused(String otherAgent, Duration held) {
    // each agent would prune the other's integrations: one release per namespace
    return "Secret " + KubernetesNames.APPLIED_SECRET + " is kept by agent " + otherAgent + ", another Outpost"
        + " release in this namespace: nothing is written here while it renews it; taken over "
        + held.toMinutes() + " min after its last renewal, or at once after: kubectl delete secret "
        + KubernetesNames.APPLIED_SECRET;
  }

  /**
   * Reads Secret {@code outpost-agent-applied} (one GET, in each pass) and throws, saying why nothing
   * is written, while another release's agent holds the namespace; renews this agent's hold once a
   * third of it has passed; remembers whether the Secret records this agent ({@link #keptAtLastPass}).
   */
  void check(KubernetesClient client, String namespace) throws TargetException {
    kept = null;
    Secret applied;
    try {
      applied = client.secrets().inNamespace(namespace).withName(KubernetesNames.APPLIED_SECRET).get();
    } catch (KubernetesClientException e) {
      throw new TargetException("cannot read Secret " + KubernetesNames.APPLIED_SECRET + ": " + ObjectApplier.reason(e), e);
    }
    Map<String, String> annotations = applied == null ? null : applied.getMetadata().getAnnotations();
    Optional<String> refusal = applied == null ? Optional.empty() : refusal(annotations);
    if (refusal.isPresent()) {
      kept = false;
      throw new TargetException(refusal.get());
    }
    kept = applied != null && identity.recordedIn(annotations);
    if (kept && renewalDue(annotations)) {
      renew(client, applied);
    }
  }

  /**
   * Whether the last pass found the Secret recording this agent, without reading it again: false when
   * it was gone (deleted by hand, or with the claim) or another's; empty when no pass read it.
   */
  public Optional<Boolean> keptAtLastPass() {
    return Optional.ofNullable(kept);
  }

  /** The store saved the Secret, recording this agent: so the pass that read it would have found it now. */
  public void saved() {
    if (kept != null) {
      kept = true; // a store no pass reads is not known to be kept: it may be deleted any time unseen
    }
  }

  private boolean renewalDue(Map<String, String> annotations) {
    Optional<Instant> renewed = renewed(annotations);
    return renewed.isEmpty() || !heldFor(annotations).equals(holdFor)
        || !clock.instant().isBefore(renewed.get().plus(holdFor.dividedBy(3)));
  }

  /** Writes the renewal at the version read: a save in between (409) renewed it already. */
  private void renew(KubernetesClient client, Secret applied) {
    Secret renewed = new SecretBuilder(applied).editMetadata().addToAnnotations(annotations()).endMetadata().build();
    try {
      client.resource(renewed).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        LOG.warnf("cannot renew this agent's hold on Secret %s (%s): tried again at the next pass",
            KubernetesNames.APPLIED_SECRET, ObjectApplier.reason(e));
      }
    }
  }

  private static Optional<Instant> renewed(Map<String, String> annotations) {
    String value = annotations == null ? null : annotations.get(RENEWED_ANNOTATION);
    try {
      return value == null ? Optional.empty() : Optional.of(Instant.parse(value));
    } catch (DateTimeParseException damaged) {
      return Optional.empty();
    }
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
