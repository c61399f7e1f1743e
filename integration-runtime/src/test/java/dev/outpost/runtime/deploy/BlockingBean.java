package dev.outpost.runtime.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * A bean whose creation blocks, as a bean that waits for a connection while it is made does (a
 * {@code java.net.ServerSocket} with {@code initMethod: accept}), until the test lets it go by
 * connecting to it: the slow load of a real integration, which Camel cannot interrupt.
 */
public final class BlockingBean implements AutoCloseable {

  private final int port;

  public BlockingBean() {
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A top-level {@code beans} element declaring the bean as {@code name}: its creation waits for {@link #release}. */
  public String declaration(String name) {
    return """
        - beans:
            - name: %s
              type: java.net.ServerSocket
              constructors:
                0: %d
              initMethod: accept
              destroyMethod: close
        """.formatted(name, port);
  }

  /**
   * A top-level {@code beans} element declaring a bean as {@code name} whose creation blocks for
   * {@code blocking}, then fails (nobody connects before its accept times out).
   */
  public static String failingAfter(String name, Duration blocking) {
    return """
        - beans:
            - name: %s
              type: java.net.ServerSocket
              constructors:
                0: 0
              properties:
                soTimeout: %d
              initMethod: accept
        """.formatted(name, blocking.toMillis());
  }

  /** Lets the bean's creation finish: a connection for its accept, once it listens. */
  public void release() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try (Socket connection = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notListeningYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the bean never listened on port " + port, notListeningYet);
        }
        Thread.sleep(50);
      }
    }
  }

  /** Releases the bean if a test left it blocking, so that the runtime's next test is not held up. */
  @Override
  public void close() {
    try (Socket connection = new Socket(InetAddress.getLoopbackAddress(), port)) {
      // accepted, or nobody listened
    } catch (IOException nobodyListens) {
      // already released
    }
  }
}
