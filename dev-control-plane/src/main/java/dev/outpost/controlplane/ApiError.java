package dev.outpost.controlplane;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Set;

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

  /** A 405, its {@code Allow} naming the methods the path takes. */
  public static Response methodNotAllowed(String message, Set<String> allowed) {
    return Response.status(Response.Status.METHOD_NOT_ALLOWED).type(MediaType.APPLICATION_JSON).allow(allowed)
        .entity(new Body("method_not_allowed", message)).build();
  }

  public static Response unauthorized(String message) {
    return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
        .header("WWW-Authenticate", "Bearer")
        .entity(new Body("unauthorized", message)).build();
  }
}
