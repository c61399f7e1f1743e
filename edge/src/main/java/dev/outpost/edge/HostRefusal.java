package dev.outpost.edge;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * The answer to a request whose {@code Host} Vert.x cannot read ({@code localhost:99999}, {@code [::1},
 * or what {@link UnreadableHost} made of a percent escape): Vert.x Web fails it before any handler, and
 * Quarkus' error handler answered 400 with its "500 - Internal Server Error" page, in JSON with the
 * exception's "stack", and an ERROR line per request. Here it is a plain 400 that says what is wrong,
 * on the public and the management router; a server a component builds itself asks {@link #applies}.
 * A component's own failure handler answers first (the gateway's, in its error format).
 */
@Singleton
public class HostRefusal {

  public static final String MESSAGE = "the Host header must be host[:port]";

  void onPublicRouter(@Observes Router router) {
    install(router);
  }

  void onManagementRouter(@Observes ManagementInterface management) {
    install(management.router());
  }

  private static void install(Router router) {
    // after any failure handler of the component's own; Quarkus' error handler is the router's last resort
    router.route().order(Integer.MAX_VALUE - 1).failureHandler(ctx -> {
      if (applies(ctx)) {
        ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
            .putHeader(HttpHeaders.CONNECTION, "close").end(MESSAGE + "\n");
      } else {
        ctx.next();
      }
    });
  }

  /** Whether {@code ctx} failed because its Host cannot be read, with nothing sent yet. */
  public static boolean applies(RoutingContext ctx) {
    return ctx.statusCode() == 400 && ctx.request().version() != HttpVersion.HTTP_2
        && ctx.request().authority() == null && ctx.request().headers().contains(HttpHeaders.HOST)
        && !ctx.response().headWritten();
  }
}
