package dev.outpost.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.impl.WebSocketImplBase;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Optional;

/**
 * What a protocol link needs below Vert.x's WebSocket API, in the Netty pipeline of the connection
 * (a client's or a server's): to hear every byte read, and to refuse text that is not UTF-8. Vert.x
 * 4.5 offers neither: it hands over a frame only once it is whole, and decodes invalid UTF-8 as
 * U+FFFD. The pipeline is reached through Vert.x's own classes ({@link
 * WebSocketImplBase#channelHandlerContext()}, {@link ConnectionBase#channelHandlerContext()}: public
 * but not API): with another implementation each method says it did nothing, and the caller falls
 * back to whole frames for liveness and to the signature check for mangled text (which then fails
 * safe).
 */
public final class WebSocketChannel {

  private WebSocketChannel() {}

  /**
   * Calls {@code onRead} on the event loop each time bytes are read from the connection, before any
   * decoding (TLS included).
   *
   * @return false when the connection's pipeline cannot be reached, and nothing was added
   */
  public static boolean onRead(WebSocketBase socket, Runnable onRead) {
    return onRead(pipeline(socket), onRead);
  }

  /**
   * {@link #onRead(WebSocketBase, Runnable)} for a server WebSocket, given the connection of the
   * request it was upgraded from ({@code request.connection()}): Vert.x Web hands over its own
   * wrapper of the socket, which hides Vert.x's class, while the upgraded connection keeps its
   * channel.
   */
  public static boolean onRead(HttpConnection upgraded, Runnable onRead) {
    return onRead(upgraded instanceof ConnectionBase base && base.channelHandlerContext() != null
        ? Optional.of(base.channelHandlerContext().pipeline()) : Optional.empty(), onRead);
  }

  private static boolean onRead(Optional<ChannelPipeline> pipeline, Runnable onRead) {
    return pipeline.map(p -> p.addFirst("outpost-read", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        onRead.run();
        ctx.fireChannelRead(msg);
      }
    })).isPresent();
  }

  /**
   * Closes the connection with 1007 (RFC 6455 section 8.1) on text that is not UTF-8, and raises
   * Netty's {@code CorruptedWebSocketFrameException} of that code to the socket's exception handler;
   * the message is not delivered.
   *
   * @return false when the connection's pipeline cannot be reached, and nothing was added
   */
  public static boolean validateUtf8(WebSocketBase socket) {
    // after the frame decoder, before Vert.x's handler: it validates frames, not bytes. It writes the
    // close frame itself: Vert.x closes the channel at once after an exception, before a close frame
    // the exception handler writes is flushed
    return socket instanceof WebSocketImplBase<?> impl && pipeline(socket).map(pipeline ->
        pipeline.addBefore(impl.channelHandlerContext().name(), "outpost-utf8", new Utf8FrameValidator(true)))
        .isPresent();
  }

  private static Optional<ChannelPipeline> pipeline(WebSocketBase socket) {
    return socket instanceof WebSocketImplBase<?> impl && impl.channelHandlerContext() != null
        ? Optional.of(impl.channelHandlerContext().pipeline()) : Optional.empty();
  }
}
