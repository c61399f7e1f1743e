package dev.outpost.runtime.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A bean holding a resource, as an integration's server socket, thread pool or client connection
 * does: it listens on its port (0 for any) from its construction until it is closed, and greets
 * with what it was given, so that a test can tell which bean served.
 */
public final class PortHoldingBean implements AutoCloseable {

  private final String greeting;
  private final ServerSocket socket;

  public PortHoldingBean(String greeting, int port) throws IOException {
    this.greeting = greeting;
    this.socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  public String greet() {
    return greeting;
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  /** Fails, as a destroy method may: its removal must not. */
  public void explode() {
    throw new IllegalStateException("bean " + greeting + " refuses to stop");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A top-level {@code beans} element declaring the bean as {@code name}, with {@code more} keys (indented YAML). */
  static String declaration(String name, String greeting, int port, String more) {
    return """
        - beans:
            - name: %s
              type: dev.outpost.runtime.deploy.PortHoldingBean
              constructors:
                0: "%s"
                1: %d
        """.formatted(name, greeting, port) + more.indent(6);
  }

  /** A free port on loopback, for a bean that listens on a fixed one. */
  static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }
}
