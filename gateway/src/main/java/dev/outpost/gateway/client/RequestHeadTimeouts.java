package dev.outpost.gateway.client;

import dev.outpost.edge.ConnectionHandlers;
import dev.outpost.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Gives every connection to the public port (and its TLS port, when Quarkus has one) a {@link RequestHeadTimeout}
 * ({@code outpost.gateway.request-head-timeout}), which neither Quarkus nor Vert.x has, once the public
 * server listens ({@link ConnectionHandlers}; a Vert.x upgrade that breaks it makes {@code SlowClientTest} fail).
 */
@Singleton
public class RequestHeadTimeouts {

  private static final Logger LOG = Logger.getLogger(RequestHeadTimeouts.class);

  private final long timeoutNanos;
  private final LongAdder timedOut = new LongAdder();
  /** Every open connection's timeout, which knows whether it waits between requests. */
  private final Set<RequestHeadTimeout> connections = ConcurrentHashMap.newKeySet();
  private final ShutdownDrain drain;

  RequestHeadTimeouts(GatewayConfig config, MeterRegistry registry, ShutdownDrain drain) {
    this.timeoutNanos = config.requestHeadTimeout().toNanos();
    this.drain = drain;
    // a keep-alive connection idle at the signal would carry the client's next request past the
    // delay, when Quarkus answers it 503 (kube-proxy and L4 balancers pin it to this pod): closed
    // now, the client opens a new one, which the Service sends to another pod, as nginx does on quit
    drain.onStopping(() -> connections.forEach(RequestHeadTimeout::closeIfIdle));
    FunctionCounter.builder("outpost.gateway.request_heads.timed_out", timedOut, LongAdder::sum)
        .description("connections closed because a complete request head did not arrive within the request head timeout")
        .register(registry);
  }

  void onListening(@ObservesAsync HttpServerStart start, Vertx vertx) {
    hookServer(start.options(), vertx);
  }

  void onListeningTls(@ObservesAsync HttpsServerStart start, Vertx vertx) {
    hookServer(start.options(), vertx);
  }

  private synchronized void hookServer(HttpServerOptions options, Vertx vertx) {
    // in place with the timeout disabled too: it also closes connections when the process stops
    if (!ConnectionHandlers.add(vertx, id -> ConnectionHandlers.isServer(id, options.getHost(), options.getPort()),
        RequestHeadTimeout.NAME, () -> new RequestHeadTimeout(timeoutNanos, timedOut, connections, drain::stopping))) {
      LOG.errorf("no listening channel found for port %d: slow request heads are not timed out (Vert.x internals changed?)",
          options.getPort());
    }
  }
}
