package dev.outpost.observability.query;

import dev.outpost.observability.security.KeysUnavailable;
import dev.outpost.observability.store.InvalidQueryException;
import dev.outpost.observability.store.QueryTimedOutException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpClosedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/** Every failure as JSON {@code {error, message}} with its status; never a stack trace. */
public class ErrorMappers {

  private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

  @ServerExceptionMapper
  public Response api(ApiException e) {
    return new ApiErrors().answer(e);
  }

  @ServerExceptionMapper
  public Response invalidQuery(InvalidQueryException e) {
    return json(400, "invalid_query", e.getMessage());
  }

  @ServerExceptionMapper
  public Response timedOut(QueryTimedOutException e) {
    return json(503, "query_timeout", e.getMessage());
  }

  @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
  public Response unauthenticated(RuntimeException e) {
    Throwable unfetched = KeysUnavailable.cause(e);
    if (unfetched != null) {
      KeysUnavailable.warn(unfetched);
      return Response.status(503).type(MediaType.APPLICATION_JSON).header("Retry-After", "10")
          .entity(new ApiError("identity_provider_unavailable",
              "the identity provider's keys cannot be fetched to verify the token; try again later"))
          .build();
    }
    return Response.status(401).type(MediaType.APPLICATION_JSON).header("WWW-Authenticate", "Bearer")
        .entity(new ApiError("unauthorized", "a valid bearer token from the configured identity provider is required"))
        .build();
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e) {
    return json(403, "forbidden", "the token does not allow this");
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    String error = status == 404 ? "not_found" : status == 405 ? "method_not_allowed" : "http_" + status;
    return json(status, error, e.getMessage());
  }

  /**
   * What no mapper above takes, {@link Error}s too: Lucene's {@code AssertionError} (assertions on),
   * the JVM's {@code InternalError} (a memory-mapped file cut short), a {@code StackOverflowError} or
   * {@code OutOfMemoryError}. Left unmapped, they got Quarkus' own 500 page, with the stack in it.
   */
  @ServerExceptionMapper
  public Response unexpected(Throwable e, ServerRequestContext request) {
    if (clientLeft(e, request)) {
      // no server failure, and no one to answer: no error is made for it (the connection is closed, and
      // what is returned goes nowhere)
      LOG.debugf("query client closed the connection before its answer was sent: %s", e.toString());
      return Response.noContent().build();
    }
    LOG.error("query failed", e);
    return json(500, "internal", "the query failed on the server; it has been logged");
  }

  /**
   * Whether the answer failed to be written because its client closed the connection (a tab closed, a
   * page left): an I/O failure on a connection that is closed. An index's I/O failure, with its
   * client still there, is the server's.
   */
  private static boolean clientLeft(Throwable e, ServerRequestContext request) {
    if (!request.serverResponse().closed()) {
      return false;
    }
    boolean writeFailed = false;
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof UncheckedIOException) {
        // the store's own read failed (a corrupt day, a disk): the server's, even if its client has gone since
        return false;
      }
      writeFailed |= cause instanceof IOException || cause instanceof HttpClosedException;
    }
    return writeFailed;
  }

  static Response json(int status, String error, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(error, message)).build();
  }
}
