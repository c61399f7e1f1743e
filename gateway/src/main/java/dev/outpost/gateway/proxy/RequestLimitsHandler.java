package dev.outpost.gateway.proxy;

import dev.outpost.gateway.Responses;
import dev.outpost.gateway.route.MatchedRoute;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

/**
 * Refuses, before authentication or any upstream work, requests whose framing is ambiguous
 * ({@code Content-Length} together with {@code Transfer-Encoding}, several or malformed {@code
 * Content-Length}s, a transfer coding other than plain {@code chunked}, the hixie-76 WebSocket keys,
 * which give a GET a body no header declares): 400; and bodies whose
 * declared length is past the route's {@code maxBodyBytes}: 413. Bodies without a declared length
 * are counted while they stream ({@link LimitedReadStream}). Header size is bounded by the HTTP
 * server's limits ({@code quarkus.http.limits.*}), slow clients by the idle timeout and
 * {@code client.RequestHeadTimeout}; the server's own
 * body limit is the spec's largest {@code maxBodyBytes}, so that it never answers before this does.
 */
@Singleton
public class RequestLimitsHandler implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    MultiMap headers = ctx.request().headers();
    var lengths = headers.getAll("Content-Length");
    var codings = headers.getAll("Transfer-Encoding");
    if (!lengths.isEmpty() && !codings.isEmpty()) {
      Responses.error(ctx, 400, "Content-Length and Transfer-Encoding must not both be sent");
      return;
    }
    if (!codings.isEmpty() && ctx.request().version() == HttpVersion.HTTP_1_0) {
      // RFC 9112 6.1: faulty framing in HTTP/1.0, which has no chunked coding; a front end speaking
      // 1.0 would read its body otherwise than the gateway
      Responses.error(ctx, 400, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
      return;
    }
    if (codings.size() > 1 || (codings.size() == 1 && !codings.get(0).trim().equalsIgnoreCase("chunked"))) {
      Responses.error(ctx, 400, "Transfer-Encoding: only 'chunked' is accepted");
      return;
    }
    if (codings.size() == 1 && !codings.get(0).equals("chunked")) {
      // the coding's name is case-insensitive, and Netty frames 'Chunked' as chunked; vertx-http-proxy
      // compares it case-sensitively and answered 400 itself, leaving the unread body on the connection
      headers.set("Transfer-Encoding", "chunked");
    }
    if (headers.contains("Sec-WebSocket-Key1") || headers.contains("Sec-WebSocket-Key2")) {
      // Netty gives a GET with both of these (the 2010 hixie-76 handshake) an 8-byte body that no
      // header declares; sent upstream without one, those bytes began the next request on the pooled connection
      Responses.error(ctx, 400, "Sec-WebSocket-Key1/Key2 (the hixie-76 WebSocket handshake) are not accepted");
      return;
    }
    if (lengths.size() > 1) {
      Responses.error(ctx, 400, "Content-Length: only one is accepted");
      return;
    }
    if (lengths.size() == 1) {
      long length;
      try {
        String value = lengths.get(0).trim();
        if (value.isEmpty() || !value.chars().allMatch(Character::isDigit)) {
          throw new NumberFormatException();
        }
        length = Long.parseLong(value);
      } catch (NumberFormatException e) {
        Responses.error(ctx, 400, "Content-Length: expected a non-negative integer");
        return;
      }
      long max = ProxyHandler.maxBody(MatchedRoute.of(ctx).route().route());
      if (length > max) {
        Responses.error(ctx, 413, "the request body is larger than " + max + " bytes");
        return;
      }
    }
    ctx.next();
  }
}
