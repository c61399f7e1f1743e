package dev.outpost.gateway.proxy;

import dev.outpost.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

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

  private final ConcurrentMap<Thread, HttpClient> clients = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final HttpClientOptions options;

  UpstreamClients(Vertx vertx, GatewayConfig config) {
    this.vertx = vertx;
    this.options = new HttpClientOptions()
        .setKeepAlive(true)
        .setMaxPoolSize(config.upstreamPoolSize())
        .setKeepAliveTimeout((int) Math.max(1, config.upstreamIdleTimeout().toSeconds()))
        .setConnectTimeout((int) config.upstreamConnectTimeout().toMillis())
        .setDecompressionSupported(false);
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
