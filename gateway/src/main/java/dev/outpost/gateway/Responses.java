package dev.outpost.gateway;

import dev.outpost.gateway.telemetry.GatewayAnswer;
import dev.outpost.gateway.telemetry.ServerSpanHandler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The gateway's own answers (never an upstream's): a small JSON body naming the problem. */
public final class Responses {

  private Responses() {}

  /**
   * Ends the exchange with {@code status} and {@link #body}. The request
   * body is not passed on: the connection is closed after the answer unless the request had none, so
   * a refused body can never be taken for the next request, once the client has sent it ({@link
   * LingeringClose}).
   */
  public static void error(RoutingContext ctx, int status, String message) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten() || response.ended()) {
      return;
    }
    GatewayAnswer.mark(ctx, message);
    String body = body(response, status, message);
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    boolean unreadBody = !ctx.request().isEnded() && hasBody(ctx);
    if (unreadBody) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    ctx.request().resume();
    response.end(body).onComplete(v -> {
      if (unreadBody) {
        LingeringClose.close(ctx.request());
      }
    });
  }

  /**
   * The body of every answer of the gateway's own: {@code {"status": N, "error": message, "traceId":
   * id}}, the id when the exchange has a trace ({@link ServerSpanHandler#TRACE_ID_HEADER}).
   */
  public static String body(HttpServerResponse response, int status, String message) {
    JsonObject json = new JsonObject().put("status", status).put("error", message);
    String traceId = response.headers().get(ServerSpanHandler.TRACE_ID_HEADER);
    if (traceId != null) {
      json.put("traceId", traceId);
    }
    return json.encode();
  }

  private static boolean hasBody(RoutingContext ctx) {
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    return ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null
        || (length != null && !length.equals("0"));
  }
}
