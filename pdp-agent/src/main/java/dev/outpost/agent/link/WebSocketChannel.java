package dev.outpost.agent.link;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.impl.WebSocketImplBase;
import java.util.Optional;

/**
 * What the link needs below Vert.x's WebSocket API, in the Netty pipeline of the connection: to hear
 * every byte read, and to refuse text that is not UTF-8. Vert.x 4.5 offers neither: it hands over a
 * frame only once it is whole, and decodes invalid UTF-8 as U+FFFD. The pipeline is reached through
 * Vert.x's own WebSocket class ({@link WebSocketImplBase#channelHandlerContext()}, public but not
 * API): with another implementation each method says it did nothing, and the link falls back to
 * whole frames for liveness and to the signature check for mangled text (which then fails safe).
 */
final class WebSocketChannel {

  private WebSocketChannel() {}

  /**
   * Calls {@code onRead} on the event loop each time bytes are read from the connection, before any
   * decoding (TLS included).
   *
   * @return false when the connection's pipeline cannot be reached, and nothing was added
   */
  static boolean onRead(WebSocket socket, Runnable onRead) {
    return pipeline(socket).map(pipeline -> pipeline.addFirst("outpost-read", new ChannelInboundHandlerAdapter() {
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
  static boolean validateUtf8(WebSocket socket) {
    // after the frame decoder, before Vert.x's handler: it validates frames, not bytes. It writes the
    // close frame itself: Vert.x closes the channel at once after an exception, before a close frame
    // the exception handler writes is flushed
    return socket instanceof WebSocketImplBase<?> impl && pipeline(socket).map(pipeline ->
        pipeline.addBefore(impl.channelHandlerContext().name(), "outpost-utf8", new Utf8FrameValidator(true)))
        .isPresent();
  }

  private static Optional<ChannelPipeline> pipeline(WebSocket socket) {
    return socket instanceof WebSocketImplBase<?> impl && impl.channelHandlerContext() != null
        ? Optional.of(impl.channelHandlerContext().pipeline()) : Optional.empty();
  }
}
