package dev.outpost.agent.audit;

import java.time.Instant;
import java.util.List;

/**
 * What the control plane asked of this data plane, and what the agent did with it.
 *
 * @param accepted whether the snapshot was accepted
 * @param revision the revision the snapshot claimed (0 when it could not be read)
 * @param dataPlane this data plane's id
 * @param reasons why it was rejected; empty when accepted
 * @param at when the agent decided
 */
public record AuditEvent(boolean accepted, long revision, String dataPlane, List<String> reasons, Instant at) {

  public static final String ACCEPTED = "outpost.snapshot.accepted";
  public static final String REJECTED = "outpost.snapshot.rejected";
  /** The project audit records are stored under (ARCHITECTURE.md, "Telemetry attributes"). */
  public static final String PROJECT = dev.outpost.spec.state.Names.SYSTEM_PROJECT;

  public AuditEvent {
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
  }

  public String eventName() {
    return accepted ? ACCEPTED : REJECTED;
  }

  /** A one-line human summary, the record's body. */
  public String summary() {
    return accepted
        ? "snapshot revision " + revision + " accepted"
        : "snapshot revision " + revision + " rejected: " + String.join("; ", reasons);
  }
}
