package dev.outpost.observability.query;

/** A refused API call: HTTP status, a short error code and a message naming what is wrong. */
public class ApiException extends RuntimeException {

  private final int status;
  private final String error;

  public ApiException(int status, String error, String message) {
    super(message);
    this.status = status;
    this.error = error;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "bad_request", message);
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }
}
