package dev.outpost.controlplane;

import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * What no other mapper takes, {@link Error}s too (a state too large for the heap, a stack overflow) and
 * the state file that cannot be written: a 500 as an {@link ApiError}, its stack logged once. Left
 * unmapped, they got Quarkus' own 500 page, not the API's shape and, in dev and test mode, with the
 * exception's message (a file's path) and its stack. The framework's refusals ({@code WebApplicationException}s) are {@link
 * FrameworkErrors}'.
 */
public class UnexpectedFailures {
  private static final Logger LOG = Logger.getLogger(UnexpectedFailures.class);

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    return answer(e);
  }

  static Response answer(Throwable e) {
    LOG.error("request failed", e);
    return ApiError.of(Response.Status.INTERNAL_SERVER_ERROR, "internal",
        "the request failed on the server; it has been logged");
  }
}
