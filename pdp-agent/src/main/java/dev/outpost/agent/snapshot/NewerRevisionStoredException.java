package dev.outpost.agent.snapshot;

import java.io.IOException;

/**
 * The store holds a newer revision than the one being saved: another agent replica applied it
 * after this one stopped leading. Saving would roll the data plane back at the next restart.
 */
public final class NewerRevisionStoredException extends IOException {
  private final long stored;

  public NewerRevisionStoredException(long stored, long saving) {
    super("revision " + stored + " is stored, newer than " + saving + ": another agent replica applied it"
        + " (if this data plane's revisions were reset, delete Secret outpost-agent-applied)");
    this.stored = stored;
  }

  public long stored() {
    return stored;
  }
}
