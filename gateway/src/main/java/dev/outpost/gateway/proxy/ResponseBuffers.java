package dev.outpost.gateway.proxy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory for response bodies read off their upstream connection ahead of a client that reads more
 * slowly: each exchange holds at most {@link #perExchange()} and all together at most {@link
 * #total()}, as nginx's proxy buffers bound what it reads ahead. A response that fits is read at the
 * upstream's speed and its connection goes back to the pool; without it a client reading a few KB
 * a second held a pooled connection for as long as it kept reading, and a few hundred such clients
 * held them all (every other request then waited, and got 503).
 */
final class ResponseBuffers {
  private final long perExchange;
  private final long total;
  private final AtomicLong held = new AtomicLong();

  /** @param perExchange bytes one exchange may hold, 0 to read no response ahead */
  ResponseBuffers(long perExchange, long total) {
    this.perExchange = perExchange;
    this.total = total;
  }

  long perExchange() {
    return perExchange;
  }

  long total() {
    return total;
  }

  /** Counts {@code bytes} more held; whether all held is now within the total. */
  boolean take(long bytes) {
    return held.addAndGet(bytes) <= total;
  }

  void give(long bytes) {
    held.addAndGet(-bytes);
  }

  /** Whether all exchanges together hold less than the total. */
  boolean roomLeft() {
    return held.get() < total;
  }

  /** Bytes held now, by every exchange. */
  long held() {
    return held.get();
  }
}
