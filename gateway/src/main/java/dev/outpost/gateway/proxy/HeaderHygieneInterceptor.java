package dev.outpost.gateway.proxy;

import dev.outpost.gateway.telemetry.ServerSpanHandler;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Removes, in both directions, the hop-by-hop headers and every header a {@code Connection}
 * header names; on the way in also every header the gateway sets itself ({@code X-Outpost-*},
 * {@code X-Forwarded-*}, {@code Forwarded}, {@code X-Real-IP}, also spelt with {@code _} for
 * {@code -}) so that a client can never supply them. Runs before the interceptors that set those headers, so a client naming them in {@code
 * Connection} cannot remove the gateway's own values. {@code Expect} is dropped too: the gateway
 * has answered {@code 100-continue} itself, once the request passed its checks ({@link ProxyHandler}).
 * On the way out the upstream's {@code Date} and {@code X-Outpost-Trace-Id} are dropped for the gateway's own.
 */
final class HeaderHygieneInterceptor implements ProxyInterceptor {

  static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade", "http2-settings");

  private final String extraRequestHeader;

  /** @param extraRequestHeader one more request header to drop (the route's credential), or null */
  HeaderHygieneInterceptor(String extraRequestHeader) {
    this.extraRequestHeader = extraRequestHeader;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    MultiMap headers = context.request().headers();
    strip(headers);
    List<String> gatewayOwned = new ArrayList<>();
    for (String name : headers.names()) {
      // '_' counts as '-': CGI, WSGI and PHP upstreams read X_Outpost_Subject as X-Outpost-Subject
      String lower = name.toLowerCase(Locale.ROOT).replace('_', '-');
      if (lower.startsWith("x-outpost-") || lower.startsWith("x-forwarded-")
          || lower.equals("forwarded") || lower.equals("x-real-ip")) {
        gatewayOwned.add(name);
      }
    }
    gatewayOwned.forEach(headers::remove);
    headers.remove("expect");
    if (extraRequestHeader != null) {
      headers.remove(extraRequestHeader);
    }
    return context.sendRequest();
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    strip(context.response().headers());
    // the gateway's clock dates its responses, as nginx's proxy does (it hides the upstream's Date):
    // re-parsing the upstream's took 3.5% of the event loop, and vertx-http-proxy's own stamp is
    // replaced as the answer leaves (client.HttpHeadRepairs)
    context.response().headers().remove("date");
    // the gateway names the trace itself; the proxy adds the integration's headers to the gateway's
    context.response().headers().remove(ServerSpanHandler.TRACE_ID_HEADER);
    return context.sendResponse();
  }

  /** Removes the headers named in {@code Connection}, then the hop-by-hop ones. */
  static void strip(MultiMap headers) {
    for (String value : headers.getAll("connection")) {
      for (String token : value.split(",")) {
        String name = token.trim();
        if (!name.isEmpty()) {
          headers.remove(name);
        }
      }
    }
    HOP_BY_HOP.forEach(headers::remove);
  }
}
