package dev.outpost.gateway.proxy;

import dev.outpost.gateway.config.GatewayConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One upstream HTTP client, with its own connection pool, per event loop thread. A Vert.x client's
 * pool is shared by every event loop and hands a request any idle connection, so most exchanges
 * would hop between two event loops; with a client per event loop a request and its upstream
 * connection stay on the thread that accepted it. That is faster, and it closes a race: a client
 * that leaves resets the upstream request, and Vert.x closes the connection when the reset reaches
 * a request whose response already ended (on another thread), by then carrying someone else's request.
 */
@Singleton
public class UpstreamClients {

  /**
   * How many times the public server's request head limit ({@code quarkus.http.limits.max-header-size})
   * a response head from an integration may take. Camel's platform-http answers with the request's
   * headers, and the gateway's own go up besides (the client's {@code Host} twice more, in {@code
   * X-Forwarded-Host} and {@code Forwarded}): at Vert.x's default of 8 KiB a client's 9 KiB header made
   * a response head that did not parse, the integration's 502, and five of them opened its breaker for
   * every client. Four times leaves room for the integration's own headers; a head past it is the
   * integration's doing, a 502 its breaker counts.
   */
  static final int RESPONSE_HEAD_FACTOR = 4;

  private final ConcurrentMap<Thread, HttpClient> clients = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final HttpClientOptions options;

  UpstreamClients(Vertx vertx, GatewayConfig config,
      @ConfigProperty(name = "quarkus.http.limits.max-header-size", defaultValue = "20K") MemorySize requestHeadLimit) {
    this.vertx = vertx;
    this.options = new HttpClientOptions()
        .setKeepAlive(true)
        .setMaxPoolSize(config.upstreamPoolSize())
        .setKeepAliveTimeout((int) Math.max(1, config.upstreamIdleTimeout().toSeconds()))
        .setConnectTimeout((int) config.upstreamConnectTimeout().toMillis())
        .setMaxHeaderSize(responseHeadLimit(requestHeadLimit.asLongValue()))
        .setDecompressionSupported(false);
  }

  /** The bytes of headers a response from an integration may have, for a request head limit of {@code requestHeadLimit}. */
  static int responseHeadLimit(long requestHeadLimit) {
    return (int) Math.min(Integer.MAX_VALUE, requestHeadLimit * RESPONSE_HEAD_FACTOR);
  }

  /** The client of the calling event loop thread. */
  HttpClient current() {
    return clients.computeIfAbsent(Thread.currentThread(), t -> vertx.createHttpClient(options));
  }

  @PreDestroy
  void close() {
    clients.values().forEach(HttpClient::close);
  }
}
