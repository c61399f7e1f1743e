package dev.outpost.gateway;

import dev.outpost.gateway.route.RequestLineHandler;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The chain's failure handler. Vert.x Web fails some requests before any step runs (a Host it
 * cannot parse, a target that is not a path such as {@code *}): those are the client's errors, so
 * they get the request-line check's 4xx with what was wrong, and a DEBUG line. Any other 4xx keeps
 * its status and reason, also at DEBUG; anything else is the gateway's own fault: 500, at ERROR.
 */
@Singleton
public class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = Logger.getLogger(FailureHandler.class);

  private final RequestLineHandler requestLine;

  FailureHandler(RequestLineHandler requestLine) {
    this.requestLine = requestLine;
  }

  @Override
  public void handle(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (status >= 400 && status < 500) {
      LOG.debugf(ctx.failure(), "request %s %s refused with %d", ctx.request().method(), ctx.request().uri(), status);
      if (!requestLine.refused(ctx)) {
        Throwable failure = ctx.failure();
        Responses.error(ctx, status, failure != null && failure.getMessage() != null ? failure.getMessage() : "the request was refused");
      }
      return;
    }
    LOG.errorf(ctx.failure(), "request %s %s failed", ctx.request().method(), ctx.request().path());
    Responses.error(ctx, status > 0 ? status : 500, "the gateway could not handle the request");
  }
}
