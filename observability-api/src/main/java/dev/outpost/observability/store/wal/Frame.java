package dev.outpost.observability.store.wal;

/**
 * One acknowledged OTLP request as the journal keeps it.
 *
 * @param kind what the payload is
 * @param firstSeq seq of the first record; the request's records use [firstSeq, firstSeq + count)
 * @param receivedAtMillis when it arrived (the time of records that carry none)
 * @param boundProject the project an integration token bound, or empty
 * @param boundIntegration the integration an integration token bound, or empty
 * @param payload the request in OTLP protobuf encoding
 */
public record Frame(
    Kind kind, long firstSeq, int count, long receivedAtMillis, String boundProject, String boundIntegration,
    byte[] payload) {

  /** The OTLP signal of the payload. */
  public enum Kind {
    LOGS,
    TRACES
  }
}
