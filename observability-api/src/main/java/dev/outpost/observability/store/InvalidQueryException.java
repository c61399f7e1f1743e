package dev.outpost.observability.store;

/** The caller's query cannot run as given; the message says where it is wrong. Maps to 400. */
public class InvalidQueryException extends RuntimeException {

  public InvalidQueryException(String message) {
    super(message);
  }
}
