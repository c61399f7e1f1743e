package dev.outpost.controlplane;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The JSON error body every endpoint answers with: {@code {"error": ..., "message": ...}}. */
public final class ApiError {
  private ApiError() {}

  /** The body, its fields in this order at every start (Map.of's order changes from one JVM to the next). */
  public record Body(String error, String message) {}

  public static Response of(Response.Status status, String error, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON)
        .entity(new Body(error, message)).build();
  }

  public static Response badRequest(String message) {
    return of(Response.Status.BAD_REQUEST, "bad_request", message);
  }

  public static Response unauthorized(String message) {
    return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
        .header("WWW-Authenticate", "Bearer")
        .entity(new Body("unauthorized", message)).build();
  }
}
