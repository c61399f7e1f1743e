package dev.outpost.runtime.dispatch;

import dev.outpost.runtime.telemetry.IntegrationIdentities.Identity;
import dev.outpost.runtime.telemetry.IntegrationLogContext;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Answers a request whose integration has not started its response in time: 504 with
 * {@code {"status":504,"error":"integration 'orders' did not answer within 60s"}}, the shape of the
 * gateway's own answers. Ending the response releases the request from the dispatcher's in-flight
 * count, so a drain does not wait for it.
 *
 * <p>The exchange is not interrupted (Camel cannot stop a step such as a {@code delay} or a backend
 * call midway): it runs on to its end, and platform-http writes nothing to a response that has ended,
 * so its late result is dropped and the connection serves its next request. A response whose head
 * is written was started by the route: its body is not cut.
 */
final class RequestTimeout {

  private static final Logger LOG = Logger.getLogger(RequestTimeout.class);

  private RequestTimeout() {}

  /**
   * Answers {@code ctx} 504 after {@code timeout} unless its response has started by then. Runs on
   * the request's event loop, as platform-http's response writing does: one of them ends the
   * response, and the other sees it ended.
   */
  static void arm(RoutingContext ctx, String integration, Identity identity, Duration timeout) {
    long timer = ctx.vertx().setTimer(timeout.toMillis(), id -> expire(ctx, integration, identity, timeout));
    ctx.addEndHandler(done -> ctx.vertx().cancelTimer(timer));
  }

  private static void expire(RoutingContext ctx, String integration, Identity identity, Duration timeout) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten() || response.ended()) {
      return;
    }
    String waited = text(timeout);
    log(identity, "integration %s did not answer %s %s within %s: answered 504", integration,
        ctx.request().method().name(), HttpDispatcher.publicPath(ctx.request().path()), waited);
    ErrorAnswer.send(ctx, 504, "integration '" + integration + "' did not answer within " + waited);
  }

  /** {@code 60s}, {@code 1500ms}. */
  static String text(Duration timeout) {
    long millis = timeout.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /** Logs with the integration's telemetry attributes, so its owner finds the line among its logs. */
  private static void log(Identity identity, String format, Object... parameters) {
    if (identity == null) {
      LOG.warnf(format, parameters);
      return;
    }
    try (IntegrationLogContext logged = IntegrationLogContext.of(identity)) {
      LOG.warnf(format, parameters);
    }
  }
}
