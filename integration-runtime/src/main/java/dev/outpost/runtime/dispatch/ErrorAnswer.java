package dev.outpost.runtime.dispatch;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The runtime's own answer to a request an integration did not answer: {@code {"status":N,"error":"..."}}. */
final class ErrorAnswer {

  private ErrorAnswer() {}

  /** Sends the answer; headers already set on the response (a {@code Retry-After}) go with it. */
  static void send(RoutingContext ctx, int status, String error) {
    HttpServerResponse response = ctx.response();
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    // the rest of a body still arriving must never be read as the next request
    boolean unreadBody = !ctx.request().isEnded() && ctx.request().version() != HttpVersion.HTTP_2;
    if (unreadBody) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    response.end(new JsonObject().put("status", status).put("error", error).encode()).onComplete(v -> {
      if (unreadBody) {
        ctx.request().connection().close();
      }
    });
  }
}
