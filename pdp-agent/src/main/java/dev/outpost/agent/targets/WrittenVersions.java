package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's own updates, per object, by {@code resourceVersion}, so that the drift watch tells them
 * from someone else's change: each put-back asked for another pass a second later, which found nothing
 * to do after reading the whole namespace again (four lists, the claim, two Secrets, the autoscalers).
 * An update is recorded before it is sent, with the version it replaces (its watch event may come before
 * its answer), and after, with the version it made; and whether it put back someone else's change.
 *
 * <p>One per target: its applier records, the drift watch beside it reads ({@link
 * KubernetesTarget#writtenVersions}).
 */
public final class WrittenVersions {
  /** Objects remembered; the one written longest ago is forgotten past it (its next change then asks for a pass). */
  private static final int REMEMBERED = 16_384;
  /** Versions made per object: an update's event may come after the next update of the same object is sent. */
  private static final int MADE_PER_OBJECT = 4;

  private final Map<String, Updates> objects = new RecentlyUsed<>(REMEMBERED);

  /** An update of the agent's: whether it put back someone else's change (rather than write a new desired state). */
  public record AgentUpdate(boolean correction) {}

  private static final class Updates {
    /** The version the update on its way replaces, until it is answered; null when none is on its way. */
    String replacing;
    boolean replacingToCorrect;
    /** The versions the agent's last updates made, oldest first, and whether each was a correction. */
    final Map<String, AgentUpdate> made = new RecentlyUsed<>(MADE_PER_OBJECT);
  }

  /**
   * The agent is about to update {@code live}, at its version.
   *
   * @param correction whether the update puts back someone else's change
   */
  synchronized void updating(HasMetadata live, boolean correction) {
    Updates updates = objects.computeIfAbsent(ObjectKey.of(live), k -> new Updates());
    updates.replacing = version(live);
    updates.replacingToCorrect = correction;
  }

  /** The agent's update of {@code live} made {@code updated}. */
  synchronized void updated(HasMetadata live, HasMetadata updated) {
    Updates updates = objects.computeIfAbsent(ObjectKey.of(live), k -> new Updates());
    updates.made.put(version(updated), new AgentUpdate(updates.replacingToCorrect));
    updates.replacing = null;
  }

  /** The agent's update of {@code live} was refused: another change in between is someone else's. */
  synchronized void notUpdated(HasMetadata live) {
    Updates updates = objects.get(ObjectKey.of(live));
    if (updates != null) {
      updates.replacing = null;
    }
  }

  /**
   * The agent's update that made {@code after} from {@code before}, if it is one: a version it made, or,
   * while its update is on its way, one made from the version that update replaced, since the update
   * carries that version and no other write from it succeeds unless the update fails. A patch (which
   * carries none) landing then is taken for the agent's; that update then fails with a 409 and is made
   * again on what the patch left, in the same pass. Once the update is answered only the version it
   * made is the agent's: after a watch's new list, the informer tells a later change by someone else
   * as an update from the version the agent replaced.
   */
  synchronized Optional<AgentUpdate> byTheAgent(HasMetadata before, HasMetadata after) {
    Updates updates = objects.get(ObjectKey.of(after));
    if (updates == null) {
      return Optional.empty();
    }
    AgentUpdate made = updates.made.get(version(after));
    if (made != null) {
      return Optional.of(made);
    }
    return updates.replacing != null && updates.replacing.equals(version(before))
        ? Optional.of(new AgentUpdate(updates.replacingToCorrect)) : Optional.empty();
  }

  private static String version(HasMetadata object) {
    return object.getMetadata().getResourceVersion();
  }
}
