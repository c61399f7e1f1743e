package dev.outpost.controlplane.state;

/** A document read at a revision that is no longer the current one: taken, it would undo what came since. */
public final class StaleRevisionException extends Exception {
  public StaleRevisionException(long given, long current) {
    super("revision: " + given + " is not the current revision " + current
        + ": read the state again and apply your change to it", null, false, false);
  }
}
