package dev.outpost.observability.query;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** A refused API call: HTTP status, a short error code and a message naming what is wrong. */
public class ApiException extends RuntimeException {

  private final int status;
  private final String error;
  private final int retryAfterSeconds;

  public ApiException(int status, String error, String message) {
    this(status, error, message, 0);
  }

  private ApiException(int status, String error, String message, int retryAfterSeconds) {
    super(message);
    this.status = status;
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** A 429: the caller may try again in a second. */
  public static ApiException tooMany(String error, String message) {
    return new ApiException(429, error, message, 1);
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

  /** The answer with {@code body}: its status, JSON, and its {@code Retry-After} when it has one. */
  public Response answer(Object body) {
    Response.ResponseBuilder answer = Response.status(status)
        .type(MediaType.APPLICATION_JSON).entity(body);
    if (retryAfterSeconds > 0) {
      answer.header("Retry-After", Integer.toString(retryAfterSeconds));
    }
    return answer.build();
  }

  /** Seconds for {@code Retry-After}; 0 for none. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
