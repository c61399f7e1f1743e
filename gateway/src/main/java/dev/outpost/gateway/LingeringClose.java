package dev.outpost.gateway;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;

/**
 * Closes the connection of a request answered before its body was read, once the client has sent
 * the rest, which is read and dropped meanwhile: nginx's lingering close, and RFC 9112 9.6. Closed at
 * once, the bytes still arriving made the kernel answer with a reset, which destroys the answer in
 * the client's receive buffer unread: a client that writes its whole body before it reads
 * (HttpURLConnection, many SDKs) saw "connection reset" instead of the 413 or the 401 that says why.
 * The answer says {@code Connection: close}, so a client that reads it stops sending. Bounded as
 * nginx's {@code lingering_time} and {@code lingering_timeout}: at most {@link #LINGER_SECONDS}, and
 * no longer than {@link #QUIET_SECONDS} without a byte.
 */
public final class LingeringClose {

  static final long LINGER_SECONDS = 30;
  static final long QUIET_SECONDS = 5;

  private LingeringClose() {}

  /** Closes {@code request}'s connection now if its body has all arrived, else once it has or the bounds run out. */
  public static void close(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    Context context = Vertx.currentContext();
    if (request.isEnded() || context == null) {
      connection.close();
      return;
    }
    Vertx vertx = context.owner();
    long started = System.nanoTime();
    long[] lastByte = {started};
    long timer = vertx.setPeriodic(1000, id -> {
      long now = System.nanoTime();
      if (now - started > TimeUnit.SECONDS.toNanos(LINGER_SECONDS)
          || now - lastByte[0] > TimeUnit.SECONDS.toNanos(QUIET_SECONDS)) {
        vertx.cancelTimer(id);
        connection.close();
      }
    });
    Runnable end = () -> {
      vertx.cancelTimer(timer);
      connection.close();
    };
    request.handler(dropped -> lastByte[0] = System.nanoTime());
    request.endHandler(v -> end.run());
    // not the connection's close handler: there is one, and Quarkus counts its connections in it
    request.exceptionHandler(e -> end.run());
    request.resume();
  }
}
