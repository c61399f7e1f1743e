package dev.outpost.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ServerID;
import io.vertx.core.net.impl.TCPServerBase;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Puts a Netty handler on each HTTP/1 connection a Vert.x HTTP server of this process accepts, just
 * before Vert.x's own connection handler (or its h2c upgrade handler, which adds that one only once a
 * request passed it): past the decoder and the idle-state handler, it sees each decoded request head
 * before Vert.x reads it, the idle events, and each response object going out before it is encoded. Neither Quarkus nor Vert.x has a way to add one, so a handler
 * goes on the server's listening channel: Netty hands it each accepted connection before Vert.x sets
 * the connection up, and it adds a placement, which puts the handler in place once Vert.x's HTTP
 * handlers are there (at once for plain HTTP, after the handshake for TLS). The listening channel is
 * a private field of Vert.x's server; a Vert.x upgrade that moves it makes this log an error, and the
 * tests of what the handlers do fail.
 */
public final class ConnectionHandlers {

  private static final Logger LOG = Logger.getLogger(ConnectionHandlers.class);
  private static final String VERTX_HTTP1_DECODER = "httpDecoder";
  /** Vert.x's own last handler of an HTTP/1 connection, and its h2c upgrade handler before it. */
  private static final String VERTX_HANDLER = "handler";
  private static final String VERTX_H2C_UPGRADE = "h2c";

  private ConnectionHandlers() {}

  /**
   * Gives each connection that the listening servers {@code which} picks accept from now on a
   * handler named {@code name}, made by {@code handler}. Servers are keyed by the address they were
   * asked for, not the one they got: a random port shared by Quarkus' verticles (tests) is port -1
   * on host {@code "<host>/<n>"}.
   *
   * @return whether any server was found listening
   */
  public static boolean add(Vertx vertx, Predicate<ServerID> which, String name, Supplier<ChannelHandler> handler) {
    Map<ServerID, HttpServerImpl> shared = ((VertxInternal) vertx).sharedHttpServers();
    List<Map.Entry<ServerID, HttpServerImpl>> servers;
    synchronized (shared) { // Vert.x's own lock on it: another server may be starting meanwhile
      servers = List.copyOf(shared.entrySet());
    }
    boolean hooked = false;
    for (Map.Entry<ServerID, HttpServerImpl> server : servers) {
      if (which.test(server.getKey())) {
        hooked |= hook(server.getValue(), name, handler);
      }
    }
    return hooked;
  }

  /** Whether {@code id} is the server asked for at {@code host} and {@code port}. */
  public static boolean isServer(ServerID id, String host, int port) {
    return id.port == port && (id.host.equals(host) || id.host.startsWith(host + "/"));
  }

  /**
   * The same for one server the component started itself: one on a random port (tests) is in no
   * shared map.
   *
   * @return whether it was found listening
   */
  public static boolean add(HttpServer server, String name, Supplier<ChannelHandler> handler) {
    return server instanceof TCPServerBase listening && hook(listening, name, handler);
  }

  /** Hooks {@code server}'s listening channel, now or once it is bound (a server still starting). */
  private static boolean hook(TCPServerBase server, String name, Supplier<ChannelHandler> handler) {
    try {
      Field bound = TCPServerBase.class.getDeclaredField("bindFuture");
      bound.setAccessible(true);
      if (!(bound.get(server) instanceof Future<?> binding)) {
        return false; // not listening
      }
      binding.onSuccess(listening -> {
        if (listening instanceof Channel channel) {
          hookChannel(channel, name, handler);
        }
      });
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.errorf(e, "could not reach a server's listening channel: %s is not on its connections", name);
      return false;
    }
  }

  private static void hookChannel(Channel listening, String name, Supplier<ChannelHandler> handler) {
    ChannelPipeline pipeline = listening.pipeline();
    String acceptHook = name + "-accept";
    synchronized (pipeline) {
      if (pipeline.get(acceptHook) == null) {
        pipeline.addFirst(acceptHook, new AcceptedConnections(new Wanted(name, handler)));
      }
    }
  }

  /** The handler each connection gets, and its name in the connection's pipeline. */
  private record Wanted(String name, Supplier<ChannelHandler> handler) {}

  /** On the listening channel: each message read is an accepted connection, not yet set up by Vert.x. */
  @ChannelHandler.Sharable
  private static final class AcceptedConnections extends ChannelInboundHandlerAdapter {
    private final Wanted wanted;

    AcceptedConnections(Wanted wanted) {
      this.wanted = wanted;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel connection) {
        connection.pipeline().addFirst(wanted.name() + "-placement", new Placement(wanted));
      }
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * On a new connection until Vert.x's HTTP/1 handlers are there: then adds the handler before the
   * first of them that reads requests ({@link #anchor}), and leaves. Vert.x adds them at once for plain
   * HTTP/1, after the handshake for TLS, and, when HTTP/2 over cleartext is on, only once the first
   * bytes tell HTTP/1 from HTTP/2, at the end of the pipeline, then passes those bytes on: so a
   * placement that finds none moves to the end, behind what will add them, and places the handler
   * when the first bytes reach it, before they are read. An HTTP/2 connection gets no handler.
   */
  private static final class Placement extends ChannelInboundHandlerAdapter {
    private final Wanted wanted;

    Placement(Wanted wanted) {
      this.wanted = wanted;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.fireChannelActive();
      if (!place(ctx)) {
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.remove(this);
        pipeline.addLast(ctx.name(), new Placement(wanted));
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      place(ctx);
      ctx.fireChannelRead(msg);
    }

    /** Whether the handler is now in place (and this placement gone). */
    private boolean place(ChannelHandlerContext ctx) {
      ChannelPipeline pipeline = ctx.pipeline();
      String anchor = anchor(pipeline);
      if (anchor == null) {
        return false;
      }
      if (pipeline.get(wanted.name()) == null) {
        pipeline.addBefore(anchor, wanted.name(), wanted.handler().get());
      }
      pipeline.remove(this);
      return true;
    }
  }

  /** The h2c upgrade handler, else Vert.x's connection handler, of an HTTP/1 connection; null until there. */
  private static String anchor(ChannelPipeline pipeline) {
    if (pipeline.get(VERTX_HTTP1_DECODER) == null) {
      return null;
    }
    return pipeline.get(VERTX_H2C_UPGRADE) != null ? VERTX_H2C_UPGRADE
        : pipeline.get(VERTX_HANDLER) != null ? VERTX_HANDLER : null;
  }
}
