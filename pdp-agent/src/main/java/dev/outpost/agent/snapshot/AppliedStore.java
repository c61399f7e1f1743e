package dev.outpost.agent.snapshot;

import java.io.IOException;
import java.util.Optional;

/**
 * Where the agent keeps the last snapshot it accepted, exactly as the control plane sent it
 * (signature included), so that a restarted agent re-verifies it and keeps enforcing it without a
 * control plane. Saving is atomic: a crash leaves the old snapshot or the new one.
 */
public interface AppliedStore {

  /** The stored snapshot message, or empty when none was ever saved. */
  Optional<String> load() throws IOException;

  /**
   * Throws, naming why, when {@code snapshotMessage} could not be saved whatever happens (too large
   * for the store): checked before it is applied, so that it is refused without changing anything.
   */
  default void checkStorable(String snapshotMessage) throws IOException {}

  /**
   * Replaces the stored snapshot message, of {@code revision}.
   *
   * @throws NewerRevisionStoredException when a store shared by several replicas holds a newer revision
   */
  void save(String snapshotMessage, long revision) throws IOException;

  /**
   * Whether the store held this agent's snapshot when the target's last pass looked, known without a
   * read of its own: false when it was gone (deleted by hand, or with its owner) or another agent's
   * taken over, so the keeper saves it again. Empty when no pass looked; the keeper then reads it.
   */
  default Optional<Boolean> keptAtLastPass() {
    return Optional.empty();
  }
}
