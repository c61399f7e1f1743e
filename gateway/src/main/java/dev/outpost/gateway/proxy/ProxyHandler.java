package dev.outpost.gateway.proxy;

import dev.outpost.gateway.auth.Identity;
import dev.outpost.gateway.client.ClientAddress;
import dev.outpost.gateway.config.GatewayConfig;
import dev.outpost.gateway.route.MatchedRoute;
import dev.outpost.gateway.telemetry.GatewayAnswer;
import dev.outpost.gateway.telemetry.ServerSpanHandler;
import dev.outpost.gateway.telemetry.UpstreamSpanInterceptor;
import dev.outpost.spec.model.Route;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Last step of the chain: streams the request to the route's integration with vertx-http-proxy and
 * the response back, through the interceptors, in order: {@link UpstreamFailureInterceptor} (413 /
 * 502 / 503 / 504 and the circuit breaker), {@link HeaderHygieneInterceptor}, {@link
 * ForwardedHeadersInterceptor}, {@link IdentityHeadersInterceptor}, {@link UpstreamSpanInterceptor}.
 * Connecting is retried for idempotent methods only, up to the route's {@code retries}; nothing has
 * been sent at that point. An idempotent request without a body is also sent again when the pooled
 * connection it went out on turns out closed by the upstream ({@link StaleConnectionRetry}, the
 * innermost interceptor). The route's timeout bounds the wait for the response head and then every
 * gap in the response body ({@link UpstreamExchange}). A {@code HEAD} goes up with {@code
 * Connection: close}: an upstream that wrongly answers it with a body leaves those bytes on the
 * connection, where they would be read as the answer to the connection's next request; no other
 * method pays for this.
 */
@Singleton
public class ProxyHandler implements Handler<RoutingContext> {

  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);
  private static final ProxyOptions OPTIONS = new ProxyOptions().setSupportWebSocket(false);

  private final UpstreamResolver resolver;
  private final CircuitBreakers breakers;
  private final UpstreamClients clients;
  private final long connectTimeoutMillis;
  private final UpstreamSpanInterceptor.Factory upstreamSpans;
  private final int maxStaleRetries;

  private final ClientAddress clientAddress;
  private final ConnectionTenants tenants = new ConnectionTenants();
  private final ResponseBuffers buffers;

  ProxyHandler(UpstreamResolver resolver, CircuitBreakers breakers, UpstreamClients clients, GatewayConfig config,
      OpenTelemetry openTelemetry, ClientAddress clientAddress) {
    this.clientAddress = clientAddress;
    this.resolver = resolver;
    this.breakers = breakers;
    this.clients = clients;
    this.connectTimeoutMillis = config.upstreamConnectTimeout().toMillis();
    this.buffers = new ResponseBuffers(config.responseBufferBytes(), config.responseBuffersBytes());
    this.maxStaleRetries = config.upstreamPoolSize();
    this.upstreamSpans = UpstreamSpanInterceptor.factory(openTelemetry);
  }

  /** Bytes of responses read ahead of slow clients, held now. */
  long bufferedResponseBytes() {
    return buffers.held();
  }

  @Override
  public void handle(RoutingContext ctx) {
    MatchedRoute matched = MatchedRoute.of(ctx);
    Route route = matched.route().route();
    Upstream upstream = resolver.resolve(route.integration());
    CircuitBreaker breaker = breakers.forIntegration(route.integration(), upstream);
    HttpServerRequest request = ctx.request();
    int retries = IDEMPOTENT.contains(request.method()) ? Math.max(0, route.retries()) : 0;
    boolean head = request.method() == HttpMethod.HEAD;
    long timeout = route.timeoutMillis() > 0 ? route.timeoutMillis() : Route.DEFAULT_TIMEOUT_MILLIS;
    LimitedReadStream limited = request.getHeader("Content-Length") == null && request.getHeader("Transfer-Encoding") != null
        ? new LimitedReadStream(request, maxBody(route)) : null;

    // when the client goes away mid-exchange the upstream request is reset at once, not left to time out
    UpstreamExchange exchange = new UpstreamExchange(ctx.vertx(), timeout, route.integration(), tenants, buffers,
        request);
    ctx.addEndHandler(ar -> {
      if (ar.failed()) {
        exchange.abort();
      }
    });
    UpstreamFailureInterceptor failures = new UpstreamFailureInterceptor(breaker, limited, exchange, route.integration(),
        reason -> GatewayAnswer.mark(ctx, reason));
    HttpProxy proxy = HttpProxy.reverseProxy(OPTIONS, clients.current())
        .originRequestProvider((req, c) ->
            connect(c, upstream, breaker, exchange, timeout + connectTimeoutMillis, retries, head).map(sent -> {
              continueIfExpected(request);
              return exchange.track(sent);
            }))
        .addInterceptor(failures)
        .addInterceptor(new CutResponseInterceptor(ctx, exchange))
        .addInterceptor(new HeaderHygieneInterceptor(matched.route().credentialHeader()))
        .addInterceptor(new ForwardedHeadersInterceptor(clientAddress.forwarding(ctx)))
        .addInterceptor(new IdentityHeadersInterceptor(matched, Identity.of(ctx)))
        .addInterceptor(upstreamSpans.forExchange(ServerSpanHandler.of(ctx), matched.route().ownerAttributes(), upstream.host(),
            upstream.port()));
    if (IDEMPOTENT.contains(request.method()) && hasNoBody(request)) {
      proxy.addInterceptor(new StaleConnectionRetry(exchange, maxStaleRetries));
    }
    if (request.version() == HttpVersion.HTTP_1_0) {
      proxy.addInterceptor(new Http10StreamGuard(reason -> GatewayAnswer.mark(ctx, reason), buffers, failures));
    }
    if (limited != null) {
      proxy.addInterceptor(new ProxyInterceptor() {
        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
          context.request().setBody(Body.body(limited, -1));
          return context.sendRequest();
        }
      });
    }
    proxy.handle(request);
  }

  /**
   * Asks the client for its body ({@code Expect: 100-continue}) once an upstream connection is there
   * to send it on: past authentication, limits, routing, the breaker and the pool, so that no body
   * about to be refused is asked for (a close with it unread could lose the refusal). Not once the
   * body has arrived (a client that did not wait; a request sent again has none left to send).
   */
  private static void continueIfExpected(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_1_1 && !request.isEnded()
        && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      request.response().writeContinue();
    }
  }

  private Future<HttpClientRequest> connect(HttpClient c, Upstream upstream, CircuitBreaker breaker,
      UpstreamExchange exchange, long poolWaitMillis, int retriesLeft, boolean head) {
    if (!breaker.allowRequest()) {
      return Future.failedFuture(new UpstreamFailureInterceptor.CircuitOpenException(breaker.secondsUntilTrial()));
    }
    long admittedAt = System.nanoTime();
    exchange.admittedAt(admittedAt);
    RequestOptions options = new RequestOptions()
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setSsl(upstream.ssl())
        // the wait for a pooled connection, opening one included (the client's own connect timeout
        // bounds that): up to the route's timeout, which bounds every exchange holding one
        .setConnectTimeout(poolWaitMillis);
    if (head) {
      // the connection is not reused: nothing a wrong body leaves on it can reach another request
      options.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    return c.request(options).compose(sent -> {
      if (exchange.clientLeft()) {
        // the client left while this waited for a connection: nothing is sent, and the reset of a
        // request not yet written gives the connection back to the pool at once (and is no error to log)
        sent.exceptionHandler(reset -> { });
        sent.reset();
        return Future.failedFuture(new ClientLeftException());
      }
      return Future.succeededFuture(sent);
    }, failure -> {
      if (exchange.clientLeft()) {
        // waiting out the pool behind a burst of abandoned requests says nothing of the upstream's health
        return Future.failedFuture(new ClientLeftException());
      }
      if (failure instanceof TimeoutException) {
        // no pooled connection came free in time (a connect that timed out is a ConnectException):
        // the pool is the limit, not the integration's health, so the breaker is not told
        return Future.failedFuture(new UpstreamFailureInterceptor.UpstreamBusyException(poolWaitMillis));
      }
      breaker.onFailure(failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName(),
          admittedAt);
      if (retriesLeft > 0) {
        return connect(c, upstream, breaker, exchange, poolWaitMillis, retriesLeft - 1, head);
      }
      return Future.failedFuture(new UpstreamFailureInterceptor.UpstreamConnectException(failure));
    });
  }

  /** The client left before a connection to the upstream was had; nothing was sent. */
  static final class ClientLeftException extends RuntimeException {
    ClientLeftException() {
      super("the client left before the request was sent", null, false, false);
    }
  }

  private static boolean hasNoBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length == null || length.equals("0")) && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null;
  }

  static long maxBody(Route route) {
    return route.maxBodyBytes() > 0 ? route.maxBodyBytes() : Route.DEFAULT_MAX_BODY_BYTES;
  }
}
