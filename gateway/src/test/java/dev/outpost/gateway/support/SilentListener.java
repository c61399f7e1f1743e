package dev.outpost.gateway.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port where connecting hangs until the connector gives up, as with a host that drops
 * SYNs, without leaving the machine: a listener with a backlog of 1 whose accept queue is filled
 * with connections it never accepts. Once the queue is full Linux drops further SYNs (unless
 * {@code net.ipv4.tcp_abort_on_overflow} is set), so no connect completes or is refused. The
 * constructor fills the queue until a connect of its own times out, and fails when none does.
 */
public final class SilentListener implements AutoCloseable {

  private static final int PROBE_MILLIS = 200;

  private final ServerSocket server;
  private final List<Socket> fillers = new ArrayList<>();

  public SilentListener(int port) throws IOException {
    server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
    for (int i = 0; i < 8; i++) {
      Socket filler = new Socket();
      fillers.add(filler);
      try {
        filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), PROBE_MILLIS);
      } catch (SocketTimeoutException queueFull) {
        return;
      }
    }
    close();
    throw new IllegalStateException("connects to a full accept queue on port " + port
        + " did not hang (net.ipv4.tcp_abort_on_overflow set?)");
  }

  @Override
  public void close() throws IOException {
    for (Socket filler : fillers) {
      filler.close();
    }
    server.close();
  }
}
