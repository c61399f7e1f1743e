package dev.outpost.observability.store;

/** A read that cannot end early with part of its answer ran past the query time budget. Maps to 503. */
public class QueryTimedOutException extends RuntimeException {

  public QueryTimedOutException(String message) {
    super(message);
  }
}
