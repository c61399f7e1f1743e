package dev.outpost.agent.targets;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How long another agent's record on Secret {@code outpost-agent-applied} has stood unchanged, on
 * this agent's monotonic clock from when it first read it so: as client-go's leader election judges
 * a Lease by when it saw the record change, never by the time another node wrote in it (a node
 * clock a year ahead held the namespace for a year, ten minutes behind let a live agent be taken
 * over). A restarted agent has seen nothing, so it waits a full hold before it takes over.
 */
final class HoldSighting {
  private final LongSupplier nanoTime;
  /** The record last read, and when it was first read as it stands. */
  private List<String> record;
  private long sinceNanos;

  HoldSighting(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** How long the record in {@code annotations} has stood as it is, as far as this agent has seen. */
  synchronized Duration unchangedFor(Map<String, String> annotations) {
    // what its agent writes at each renewal; any other change (a label, its snapshot) renews nothing
    List<String> read = Arrays.asList(annotations.get(AgentIdentity.AGENT_ANNOTATION),
        annotations.get(AgentIdentity.DATA_PLANE_ANNOTATION), annotations.get(NamespaceHold.RENEWED_ANNOTATION),
        annotations.get(NamespaceHold.HOLD_SECONDS_ANNOTATION));
    long now = nanoTime.getAsLong();
    if (!read.equals(record)) {
      record = read;
      sinceNanos = now;
    }
    return Duration.ofNanos(now - sinceNanos);
  }
}
