package dev.outpost.observability.ingest;

/** A request the receiver refuses, with the HTTP status and a message for the sender. */
public class IngestException extends RuntimeException {

  private final int status;
  private final String retryAfterSeconds;

  public IngestException(int status, String message) {
    this(status, message, null);
  }

  public IngestException(int status, String message, String retryAfterSeconds) {
    super(message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  /** Seconds to wait before retrying (429/503), or null. */
  public String retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
