package dev.outpost.edge;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.vertx.core.net.HostAndPort;

/**
 * Makes a {@code Host} with a percent escape that Vert.x cannot parse ({@code a%41}) one that Vert.x
 * refuses, before Vert.x reads it. Vert.x 4.5's parse of such a Host throws out of Vert.x Web's router
 * (an index past the end in {@code HostAndPortImpl.parseRegName}), before any handler: the request was
 * never answered, its connection held until the idle timeout, and each one logged some 50 lines of
 * ERROR, on every port of every component. Made {@code %}, Vert.x Web answers it 400, as any Host it
 * cannot read. No DNS name holds a percent sign; an IPv6 zone ({@code [fe80::1%25en0]}), which
 * parses, is kept.
 */
@ChannelHandler.Sharable
public final class UnreadableHost extends ChannelInboundHandlerAdapter {

  public static final UnreadableHost INSTANCE = new UnreadableHost();

  /** A {@code Host} Vert.x's parser refuses without throwing. */
  static final String REFUSED = "%";

  private UnreadableHost() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      repair(request);
    }
    ctx.fireChannelRead(msg);
  }

  /** Replaces {@code request}'s first {@code Host} (the one Vert.x reads) when Vert.x's parse of it throws. */
  private static void repair(HttpRequest request) {
    String host = request.headers().get(HttpHeaderNames.HOST);
    if (host != null && host.indexOf('%') >= 0 && !parses(host)) {
      request.headers().set(HttpHeaderNames.HOST, REFUSED);
    }
  }

  private static boolean parses(String host) {
    try {
      HostAndPort.parseAuthority(host, -1);
      return true;
    } catch (RuntimeException thrown) {
      return false;
    }
  }
}
