package dev.outpost.gateway;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/**
 * The {@code Date} of the gateway's answers, its own and proxied ones (RFC 9110 6.6.1: a server's 2xx
 * to 4xx carry one), set on each as it leaves ({@code client.HttpHeadRepairs}). Vert.x adds none to
 * the gateway's own; vertx-http-proxy's on a proxied answer had a one-digit day ({@code Mon, 7 Dec}),
 * not the IMF-fixdate RFC 9110 5.6.7 requires.
 */
public final class HttpDate {

  /** The text of one second: formatted once a second, not on every answer. */
  private record Second(long epochSecond, String text) {}

  private static volatile Second current = new Second(-1, "");

  private HttpDate() {}

  /** Now, in the IMF-fixdate form ({@code Sun, 06 Dec 2026 07:01:02 GMT}). */
  public static String now() {
    long millis = System.currentTimeMillis();
    long second = Math.floorDiv(millis, 1000);
    Second seen = current;
    if (seen.epochSecond() != second) {
      seen = new Second(second, DateFormatter.format(new Date(second * 1000)));
      current = seen;
    }
    return seen.text();
  }
}
