package dev.outpost.gateway;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/**
 * The {@code Date} of the gateway's own answers (RFC 9110 6.6.1: a server's 2xx to 4xx carry one).
 * Vert.x adds none; a proxied answer has the integration's, or the proxy's.
 */
public final class HttpDate {

  private HttpDate() {}

  /** Now, in the IMF-fixdate form ({@code Sun, 06 Dec 2026 07:01:02 GMT}). */
  public static String now() {
    return DateFormatter.format(new Date());
  }
}
