package dev.outpost.gateway.telemetry;

import io.netty.util.IllegalReferenceCountException;
import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops one WARN that Netty writes, with about 100 lines of stack, each time a client leaves while
 * its response is being proxied (a browser navigating away, a load generator stopping): the write
 * of a response chunk to the closed connection fails inside Netty's own write, vertx-http-proxy
 * resets the response from within that failure, and the reset's write re-enters the encoder that is
 * still releasing the first message, which Netty reports as a promise failed twice. Nothing is lost
 * (the client is gone) and the gateway cannot avoid it without changing how vertx-http-proxy orders
 * its reset (deferring the failure a turn broke that ordering). Only this message with this cause
 * is dropped; every other record of Netty's passes. Configured on the console handler
 * ({@code quarkus.log.console.filter=client-gone}).
 */
@LoggingFilter(name = "client-gone")
public final class ClientGoneNoiseFilter implements Filter {

  static final String LOGGER = "io.netty.channel.AbstractChannelHandlerContext";
  static final String MESSAGE = "Failed to mark a promise as failure because it has failed already";

  @Override
  public boolean isLoggable(LogRecord record) {
    return !(LOGGER.equals(record.getLoggerName())
        && record.getThrown() instanceof IllegalReferenceCountException
        && record.getMessage() != null && record.getMessage().startsWith(MESSAGE));
  }
}
