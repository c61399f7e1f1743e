package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Tells a fight with another controller (Argo CD's self-heal, a Kustomize patch, a custom replica
 * setter rewriting a field) from a one-off change, per object, and slows the agent's side of it down,
 * as Argo CD's self-heal backs off: before, each change was put back within a second, for ever, with
 * no word but an INFO line each time.
 *
 * <p>A change someone else makes is put back after {@link #FIRST_WAIT}. Once the agent has put an
 * object back {@value #FIGHT_CORRECTIONS} times within {@link #FIGHT_WINDOW}, it is a fight: said once
 * as a WARN naming the last writer ({@code metadata.managedFields}), and each later change waits twice
 * as long as the one before, up to the longest wait (the resync interval: the scheduled resync puts it
 * back all the same). The fight ends once nobody else has changed the object for the quiet period
 * ({@link #FIGHT_WINDOW}, or twice the longest wait when that is longer, so that a fight at the longest
 * wait goes on). Only the agent's writes that put back someone else's change count ({@link
 * WrittenVersions.AgentUpdate#correction}): a change it leaves (an autoscaler's replicas, a rollout
 * restart) is no correction, and neither is its next write of a new revision.
 */
final class DriftFights {
  private static final Logger LOG = Logger.getLogger(DriftFights.class);
  /** How long a change waits before the pass that puts it back, outside a fight. */
  static final Duration FIRST_WAIT = Duration.ofSeconds(1);
  /** Corrections of one object within {@link #FIGHT_WINDOW} that make a fight. */
  static final int FIGHT_CORRECTIONS = 3;
  static final Duration FIGHT_WINDOW = Duration.ofMinutes(5);
  /** Objects remembered; the one changed longest ago is forgotten past it. */
  private static final int REMEMBERED = 4096;
  private static final String UNKNOWN_WRITER = "unknown: no managedFields name one";

  private final Duration longestWait;
  private final long quietNanos;
  /** The agent's own manager in managedFields, never named as the other writer; null when unknown. */
  private final String agentManager;
  private final LongSupplier nanoTime;
  private final Map<String, Fight> objects = new RecentlyUsed<>(REMEMBERED);

  private static final class Fight {
    long lastChange;
    String lastWriter = UNKNOWN_WRITER;
    /** When the last corrections were, at most {@link #FIGHT_CORRECTIONS}. */
    final Deque<Long> corrections = new ArrayDeque<>();
    boolean fighting;
    /** Corrections since the fight began. */
    int inFight;
  }

  /** Fights over what {@code client} writes: the API server records its updates under its user agent's name. */
  DriftFights(Duration longestWait, KubernetesClient client) {
    this(longestWait, managerOf(client.getConfiguration().getUserAgent()), System::nanoTime);
  }

  /**
   * @param longestWait the longest a change waits before it is put back: the resync interval
   * @param agentManager the manager the API server records for the agent's own writes, null when unknown
   */
  DriftFights(Duration longestWait, String agentManager, LongSupplier nanoTime) {
    this.longestWait = longestWait;
    this.quietNanos = Math.max(FIGHT_WINDOW.toNanos(), longestWait.multipliedBy(2).toNanos());
    this.agentManager = agentManager;
    this.nanoTime = nanoTime;
  }

  /** Someone else changed {@code changed}: how long to wait before the pass that puts it back. */
  synchronized Duration changed(HasMetadata changed) {
    long now = nanoTime.getAsLong();
    Fight fight = objects.computeIfAbsent(ObjectKey.of(changed), k -> new Fight());
    if (fight.lastChange != 0 && now - fight.lastChange >= quietNanos) {
      fight.fighting = false;
      fight.inFight = 0;
      fight.corrections.clear();
    }
    fight.lastChange = now;
    fight.lastWriter = lastWriter(changed);
    if (!fight.fighting) {
      return FIRST_WAIT;
    }
    Duration wait = FIRST_WAIT.multipliedBy(1L << Math.min(fight.inFight, 30));
    return wait.compareTo(longestWait) > 0 ? longestWait : wait;
  }

  /** The agent put {@code written} back, someone else having changed it. */
  synchronized void putBack(HasMetadata written) {
    Fight fight = objects.computeIfAbsent(ObjectKey.of(written), k -> new Fight());
    long now = nanoTime.getAsLong();
    if (fight.lastChange == 0) {
      // a put-back of a change no watch reported (a mutating webhook's, at each resync): the quiet
      // period counts from here, else the next real change would skip it and wait as in a fight
      fight.lastChange = now;
    }
    fight.corrections.addLast(now);
    if (fight.corrections.size() > FIGHT_CORRECTIONS) {
      fight.corrections.removeFirst();
    }
    if (fight.fighting) {
      fight.inFight++;
    } else if (fight.corrections.size() == FIGHT_CORRECTIONS
        && now - fight.corrections.getFirst() <= FIGHT_WINDOW.toNanos()) {
      fight.fighting = true;
      fight.inFight = 1;
      LOG.warnf("%s %s: changed by someone else and put back by the agent %d times in %d minutes (last writer %s):"
              + " another controller is likely setting a field the agent also sets; its changes are now put back"
              + " after a wait that doubles each time, at most %d s (the resync interval), until nobody else"
              + " changes it for %d minutes", written.getKind(), written.getMetadata().getName(), FIGHT_CORRECTIONS,
          FIGHT_WINDOW.toMinutes(), fight.lastWriter, longestWait.toSeconds(), Duration.ofNanos(quietNanos).toMinutes());
    }
  }

  /**
   * The newest entry of {@code metadata.managedFields} but the agent's own and those of the status
   * subresource (the Deployment controller writing status): who made the change, as the API server
   * records it; {@code kubectl scale} writes through the scale subresource.
   */
  private String lastWriter(HasMetadata changed) {
    List<ManagedFieldsEntry> entries = changed.getMetadata().getManagedFields();
    return (entries == null ? List.<ManagedFieldsEntry>of() : entries).stream()
        .filter(e -> !"status".equals(e.getSubresource()))
        .filter(e -> e.getManager() != null && !e.getManager().equals(agentManager))
        // RFC 3339 times in UTC, as the API server writes them, sort as text
        .max(Comparator.comparing(e -> e.getTime() == null ? "" : e.getTime()))
        .map(e -> "manager " + e.getManager() + ", operation " + e.getOperation() + ", at " + e.getTime())
        .orElse(UNKNOWN_WRITER);
  }

  /** The manager the API server derives from a user agent with no {@code fieldManager}: up to the first slash. */
  private static String managerOf(String userAgent) {
    return userAgent == null ? null : userAgent.split("/", 2)[0];
  }
}
