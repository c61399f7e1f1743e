package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Objects;

/**
 * The agent's own updates, per object, by {@code resourceVersion}, so that the drift watch tells them
 * from someone else's change: each put-back asked for another pass a second later, which found nothing
 * to do after reading the whole namespace again (four lists, the claim, two Secrets, the autoscalers). An update is recorded before it is sent, with the
 * version it replaces (its watch event may come before its answer), and after, with the version it made.
 *
 * <p>One per target: its applier records, the drift watch beside it reads ({@link
 * KubernetesTarget#writtenVersions}).
 */
public final class WrittenVersions {
  /** Objects remembered; the one written longest ago is forgotten past it (its next change then asks for a pass). */
  private static final int REMEMBERED = 16_384;

  private final Map<String, Update> updates = new RecentlyUsed<>(REMEMBERED);

  /** @param made the version the update made, null until it is answered */
  private record Update(String replaced, String made) {}

  /** The agent is about to update {@code live}, at its version. */
  synchronized void updating(HasMetadata live) {
    updates.put(ObjectKey.of(live), new Update(version(live), null));
  }

  /** The agent's update of {@code live} made {@code updated}. */
  synchronized void updated(HasMetadata live, HasMetadata updated) {
    updates.put(ObjectKey.of(live), new Update(version(live), version(updated)));
  }

  /** The agent's update of {@code live} was refused: another change in between is someone else's. */
  synchronized void notUpdated(HasMetadata live) {
    updates.remove(ObjectKey.of(live));
  }

  /**
   * Whether {@code after} is the agent's update of {@code before}: the version it made, or one made
   * from the version it replaced, since the update carries that version and no other write from it
   * succeeds unless the update fails. A patch (which carries none) landing while the agent's update is on its way is
   * taken for the agent's; that update then fails with a 409 and is made again on what the patch
   * left, in the same pass.
   */
  synchronized boolean byTheAgent(HasMetadata before, HasMetadata after) {
    Update update = updates.get(ObjectKey.of(after));
    return update != null && (Objects.equals(update.made(), version(after))
        || (update.replaced() != null && update.replaced().equals(version(before))));
  }

  private static String version(HasMetadata object) {
    return object.getMetadata().getResourceVersion();
  }
}
