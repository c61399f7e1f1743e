package dev.outpost.agent.targets;

/**
 * Watches what the agent wrote and asks for a resync when someone else changes it, so that drift is
 * corrected in seconds; the scheduled resync stays the fallback for what a watch misses.
 */
public interface DriftWatch {

  /**
   * Starts watching; a second call while it watches does nothing. Throws when it cannot start, having
   * started nothing, so that the caller may try again later.
   */
  void start();

  /** Stops watching; one that does not watch is left as it is. */
  void stop();
}
