package dev.outpost.controlplane;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The JSON error body every endpoint answers with: {@code {"error": ..., "message": ...}}. */
public final class ApiError {
  private ApiError() {}

  public static Response of(Response.Status status, String error, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", error, "message", message)).build();
  }

  public static Response badRequest(String message) {
    return of(Response.Status.BAD_REQUEST, "bad_request", message);
  }

  public static Response unauthorized(String message) {
    return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
        .header("WWW-Authenticate", "Bearer")
        .entity(Map.of("error", "unauthorized", "message", message)).build();
  }
}
