package dev.outpost.runtime.status;

import java.util.Optional;

/** Whether what a status says is running still runs: asked each time the status is read. */
public interface RouteStates {

  /**
   * A route of {@code integration}'s running {@code version} that is not started, as a short
   * description ({@code route orders-in is stopped}), or empty when all run or the version is not
   * the one running.
   */
  Optional<String> notRunning(String integration, String version);
}
