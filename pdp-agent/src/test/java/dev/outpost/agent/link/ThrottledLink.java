package dev.outpost.agent.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A slow link between the agent and a control plane, as a TCP relay on loopback: what the agent
 * sends goes through at once, what the control plane sends comes {@code chunkBytes} at a time every
 * {@code gapMillis}. A large frame then takes as long to arrive as it would over a slow line, its
 * bytes flowing all along, whatever the WebSocket library makes of it.
 */
final class ThrottledLink implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final int chunkBytes;
  private final long gapMillis;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  ThrottledLink(int targetPort, int chunkBytes, long gapMillis) throws IOException {
    this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.chunkBytes = chunkBytes;
    this.gapMillis = gapMillis;
    Thread acceptor = new Thread(this::accept, "throttled-link-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The control plane's URL through this link. */
  String url() {
    return "ws://127.0.0.1:" + server.getLocalPort() + "/v1/connect";
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket agent = server.accept();
        Socket controlPlane = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(agent);
        sockets.add(controlPlane);
        relay(agent, controlPlane, Integer.MAX_VALUE, 0);
        relay(controlPlane, agent, chunkBytes, gapMillis);
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void relay(Socket from, Socket to, int chunk, long gap) {
    Thread relay = new Thread(() -> {
      byte[] buffer = new byte[Math.min(chunk, 64 * 1024)];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int read; (read = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, read);
          out.flush();
          if (gap > 0) {
            Thread.sleep(gap);
          }
        }
      } catch (IOException | InterruptedException ended) {
        // either side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "throttled-link-relay");
    relay.setDaemon(true);
    relay.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(ThrottledLink::closeQuietly);
  }
}
