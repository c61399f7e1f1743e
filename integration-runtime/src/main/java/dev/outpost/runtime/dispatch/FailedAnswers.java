package dev.outpost.runtime.dispatch;

import dev.outpost.runtime.telemetry.IntegrationIdentities;
import dev.outpost.runtime.telemetry.IntegrationIdentities.Identity;
import dev.outpost.runtime.telemetry.IntegrationLogContext;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

/**
 * Answers a request whose routing failed past Camel's error handling: platform-http could not write
 * the answer a route made (a body it finds no conversion for, {@code ${exchange}}), and failed the
 * request. Quarkus' own page answered it: not in the runtime's shape, and in dev and test mode with the
 * exception, internal class names and paths and its stack, which the gateway forwards to the API's
 * consumers. Here it is {@code
 * {"status":500,"error":"integration 'orders' failed to answer; it has been logged"}}, the shape of the
 * runtime's other answers, and the failure is logged once, with its stack and the integration's
 * telemetry attributes. A refusal with a client status (a 413 from a body handler) keeps its answer.
 */
final class FailedAnswers {

  private static final Logger LOG = Logger.getLogger(FailedAnswers.class);

  private FailedAnswers() {}

  static void answer(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (status >= 400 && status < 500) {
      ctx.next();
      return;
    }
    String integration = ctx.get(HttpDispatcher.DISPATCHED);
    Identity identity = IntegrationIdentities.find(ctx.request().path()).orElse(null);
    log(identity, ctx, integration);
    if (!ctx.response().headWritten()) {
      ErrorAnswer.send(ctx, 500, (integration == null ? "the request" : "integration '" + integration + "'")
          + " failed to answer; it has been logged");
    } else if (!ctx.response().ended()) {
      // its head is sent: the client must not take what was written for the whole answer
      ctx.request().connection().close();
    }
  }

  private static void log(Identity identity, RoutingContext ctx, String integration) {
    String request = ctx.request().method().name() + " " + HttpDispatcher.publicPath(ctx.request().path());
    if (identity == null) {
      LOG.errorf(ctx.failure(), "%s failed: answered 500", request);
      return;
    }
    try (IntegrationLogContext logged = IntegrationLogContext.of(identity)) {
      LOG.errorf(ctx.failure(), "integration %s failed to answer %s: answered 500", integration, request);
    }
  }
}
