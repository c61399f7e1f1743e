package dev.outpost.gateway.route;

import dev.outpost.gateway.Responses;
import dev.outpost.gateway.client.ShutdownDrain;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Refuses, before routing, requests whose request line or {@code Host} the gateway will not route:
 * <ul>
 *   <li>{@code CONNECT} (a tunnel, not a request: proxied, the connection desynchronised) and
 *       {@code TRACE} (echoes credentials back to scripts, cross-site tracing): 405;
 *   <li>a target with bytes above 0x7F: 400. The server reads them as Latin-1, so UTF-8 went up
 *       encoded twice and query bytes changed; RFC 3986 targets are ASCII, the rest percent-encoded;
 *   <li>a target other than origin-form ({@code /path}: not absolute-form, authority-form, {@code *}): 400;
 *   <li>no {@code Host}, several (RFC 9112 3.2; HTTP/1.0 too, since routes match on the host), or
 *       one that is not {@code host[:port]}: 400.
 * </ul>
 * While the gateway stops ({@link ShutdownDrain}) every answer closes its connection.
 */
@Singleton
public class RequestLineHandler implements Handler<RoutingContext> {

  /** Every method the gateway accepts; routes choose among them. */
  public static final List<String> ACCEPTED_METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
  private static final String ALLOW = String.join(", ", ACCEPTED_METHODS);

  private final ShutdownDrain drain;

  RequestLineHandler(ShutdownDrain drain) {
    this.drain = drain;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (drain.stopping() && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      // the client's next request goes on a new connection, which the Service sends to another pod;
      // closed here too (RFC 9112 9.6), as Vert.x keeps it open for a request that asked keep-alive
      ctx.response().headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      ctx.addEndHandler(v -> ctx.request().connection().close());
    }
    if (!refused(ctx)) {
      ctx.next();
    }
  }

  /**
   * Answers and returns true when the request is refused. Also called for requests Vert.x Web
   * fails before any handler runs (a target that is not a path, a Host it cannot parse).
   */
  public boolean refused(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.method() == HttpMethod.CONNECT || request.method() == HttpMethod.TRACE) {
      if (request.method() == HttpMethod.CONNECT) {
        // what follows a CONNECT is tunnel bytes, never to be read as the next request
        ctx.addEndHandler(v -> request.connection().close());
      }
      // a 405 names what is accepted (RFC 9110 15.5.6): any other method, routes choosing among them
      ctx.response().headers().set(HttpHeaders.ALLOW, ALLOW);
      Responses.error(ctx, 405, request.method().name() + " is not accepted");
      return true;
    }
    String uri = request.uri();
    if (!isAscii(uri)) {
      Responses.error(ctx, 400, "the request target must be ASCII; percent-encode other characters");
      return true;
    }
    if (uri.isEmpty() || uri.charAt(0) != '/') {
      Responses.error(ctx, 400, "only origin-form request targets ('/path') are accepted");
      return true;
    }
    int hosts = request.headers().getAll(HttpHeaders.HOST).size();
    if (hosts != 1) {
      Responses.error(ctx, 400, hosts == 0 ? "a Host header is required" : "only one Host header is accepted");
      return true;
    }
    if (request.authority() == null) {
      Responses.error(ctx, 400, "the Host header must be host[:port]");
      return true;
    }
    return false;
  }

  private static boolean isAscii(String target) {
    for (int i = 0; i < target.length(); i++) {
      if (target.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
