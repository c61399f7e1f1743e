package dev.outpost.agent.targets;

/**
 * A write refused because this replica no longer leads ({@link LeaderOnlyTarget}): no verdict on what
 * was being written, which the replica that leads now applies.
 */
public final class NoLongerLeadsException extends TargetException {
  public NoLongerLeadsException() {
    super("not written: this agent no longer leads (its Lease was lost, or it is stopping); the replica that leads"
        + " now reconciles");
  }
}
