package dev.outpost.gateway.client;

import dev.outpost.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ServerID;
import io.vertx.core.net.impl.TCPServerBase;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Gives every connection to the public port (and its TLS port, when Quarkus has one) a {@link RequestHeadTimeout}
 * ({@code outpost.gateway.request-head-timeout}). Neither Quarkus nor Vert.x has such a limit or a
 * way to add a handler to a server's connections, so once the public server listens, a handler goes
 * on its listening channel: Netty hands it each accepted connection before Vert.x sets the
 * connection up, and it adds {@link Placement}, which puts the timeout in place once Vert.x's HTTP
 * handlers are there. The listening channel is a private field of Vert.x's server; a Vert.x upgrade
 * that moves it makes this log an error, and {@code SlowClientTest} fail.
 */
@Singleton
public class RequestHeadTimeouts {

  private static final Logger LOG = Logger.getLogger(RequestHeadTimeouts.class);
  private static final String ACCEPT_HOOK = "outpost-request-head-timeouts";
  /** Vert.x's own last handler of an HTTP/1 connection; the timeout goes just before it. */
  private static final String VERTX_HANDLER = "handler";
  private static final String VERTX_HTTP1_DECODER = "httpDecoder";

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
    // Vert.x keys a shared server by the address it was asked for, not the one it got: a random port
    // shared by Quarkus' verticles (tests) is port -1 on host "<host>/<n>"
    int port = options.getPort();
    String host = options.getHost();
    Map<ServerID, HttpServerImpl> shared = ((VertxInternal) vertx).sharedHttpServers();
    List<Map.Entry<ServerID, HttpServerImpl>> servers;
    synchronized (shared) { // Vert.x's own lock on it: the management server may be starting meanwhile
      servers = List.copyOf(shared.entrySet());
    }
    boolean hooked = false;
    for (Map.Entry<ServerID, HttpServerImpl> server : servers) {
      ServerID id = server.getKey();
      if (id.port == port && (id.host.equals(host) || id.host.startsWith(host + "/"))) {
        hooked |= hook(server.getValue());
      }
    }
    if (!hooked) {
      LOG.errorf("no listening channel found for port %d: slow request heads are not timed out (Vert.x internals changed?)", port);
    }
  }

  private boolean hook(TCPServerBase server) {
    try {
      Field bound = TCPServerBase.class.getDeclaredField("bindFuture");
      bound.setAccessible(true);
      Channel listening = ((Future<?>) bound.get(server)).result() instanceof Channel c ? c : null;
      if (listening == null) {
        return false;
      }
      ChannelPipeline pipeline = listening.pipeline();
      if (pipeline.get(ACCEPT_HOOK) == null) {
        pipeline.addFirst(ACCEPT_HOOK, new AcceptedConnections());
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.errorf(e, "could not reach the public server's listening channel: slow request heads are not timed out");
      return false;
    }
  }

  /** On the listening channel: each message read is an accepted connection, not yet set up by Vert.x. */
  @ChannelHandler.Sharable
  private final class AcceptedConnections extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel connection) {
        connection.pipeline().addFirst(Placement.NAME, new Placement());
      }
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * First on a new connection: when Vert.x's HTTP handlers are in place (at once for plain HTTP,
   * after the handshake for TLS), adds the timeout before Vert.x's connection handler and leaves.
   * On TLS that is at the first read after the handshake (bounded by Vert.x's handshake timeout);
   * until then a connection that sends nothing is closed by the idle timeout.
   */
  private final class Placement extends ChannelInboundHandlerAdapter {
    static final String NAME = "outpost-request-head-timeout-placement";

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      place(ctx);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      place(ctx);
      ctx.fireChannelRead(msg);
    }

    private void place(ChannelHandlerContext ctx) {
      ChannelPipeline pipeline = ctx.pipeline();
      // an HTTP/1 connection only (HTTP/2's handler has the same name but no decoder before it; the
      // public port speaks HTTP/1.1 only, quarkus.http.http2=false)
      if (pipeline.get(VERTX_HANDLER) != null && pipeline.get(VERTX_HTTP1_DECODER) != null
          && pipeline.get(RequestHeadTimeout.NAME) == null) {
        pipeline.addBefore(VERTX_HANDLER, RequestHeadTimeout.NAME, new RequestHeadTimeout(timeoutNanos, timedOut, connections, drain::stopping));
        pipeline.remove(this);
      }
    }
  }
}
