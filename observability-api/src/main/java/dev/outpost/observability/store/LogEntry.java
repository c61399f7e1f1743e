package dev.outpost.observability.store;

import java.util.Map;

/**
 * One stored log record.
 *
 * @param seq unique, assigned by the journal; the tie-break of the newest-first order
 * @param timeNanos the record's time (its observed time when it had none)
 * @param severity normalised name: TRACE, DEBUG, INFO, WARN, ERROR, FATAL or UNSPECIFIED
 * @param attributes record attributes, searchable as {@code attr.<key>}
 * @param resource resource attributes, searchable as {@code attr.<key>} when no record attribute has the key
 */
public record LogEntry(
    long seq,
    long timeNanos,
    long observedNanos,
    int severityNumber,
    String severity,
    String body,
    Owner owner,
    String event,
    String traceId,
    String spanId,
    Map<String, String> attributes,
    Map<String, String> resource) {

  /** The same record at another seq. */
  public LogEntry withSeq(long newSeq) {
    return new LogEntry(newSeq, timeNanos, observedNanos, severityNumber, severity, body, owner, event, traceId,
        spanId, attributes, resource);
  }
}
