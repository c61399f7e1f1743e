package dev.outpost.agent.audit;

/**
 * Records every snapshot decision where the customer can read it (observability-api).
 *
 * <p>{@link #record} never blocks the caller and never throws: records are queued and delivered in
 * order, retried while the store is unreachable, and only the oldest are dropped (with a warning)
 * if the queue overflows.
 */
public interface AuditLog {
  void record(AuditEvent event);
}
