package dev.outpost.observability.query;

import dev.outpost.observability.security.KeysUnavailable;
import dev.outpost.observability.store.InvalidQueryException;
import dev.outpost.observability.store.QueryTimedOutException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

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

  @ServerExceptionMapper
  public Response unexpected(Exception e) {
    LOG.error("query failed", e);
    return json(500, "internal", "the query failed on the server; it has been logged");
  }

  static Response json(int status, String error, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(error, message)).build();
  }
}
