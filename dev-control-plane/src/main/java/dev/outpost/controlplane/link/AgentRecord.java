package dev.outpost.controlplane.link;

import dev.outpost.spec.protocol.Status;
import dev.outpost.spec.state.Violation;
import java.time.Instant;
import java.util.List;

/**
 * What the control plane knows of one agent connection, as shown by {@code GET /v1/agents}.
 *
 * @param id the connection's id
 * @param dataPlane the data plane it said it is
 * @param agentVersion its version
 * @param connected whether the connection is open
 * @param connectedAt when it connected
 * @param helloRevision the revision it said it runs when it connected
 * @param lastAck the newest revision it acknowledged, 0 when none
 * @param lastNack the newest rejection, or null
 * @param status the newest status it sent, or null
 * @param warning what its operator should know, or null: an agent running a newer revision than this
 *     control plane has, which it sends nothing until one passes it, says so and what to do
 */
public record AgentRecord(String id, String dataPlane, String agentVersion, boolean connected, Instant connectedAt,
    long helloRevision, long lastAck, Rejection lastNack, Status status, String warning) {

  /** A snapshot the agent refused, and why. */
  public record Rejection(long revision, List<Violation> errors, Instant at) {}
}
