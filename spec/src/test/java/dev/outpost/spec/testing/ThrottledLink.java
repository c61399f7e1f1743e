package dev.outpost.spec.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A slow link between an agent and a control plane, as a TCP relay on loopback: one direction goes
 * through at once, the other comes {@code chunkBytes} at a time every {@code gapMillis}. A large
 * frame then takes as long to arrive as it would over a slow line, its bytes flowing all along,
 * whatever the WebSocket library makes of it.
 */
public final class ThrottledLink implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final boolean slowToClient;
  private final int chunkBytes;
  private final long gapMillis;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private ThrottledLink(int targetPort, boolean slowToClient, int chunkBytes, long gapMillis) throws IOException {
    this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.slowToClient = slowToClient;
    this.chunkBytes = chunkBytes;
    this.gapMillis = gapMillis;
    Thread acceptor = new Thread(this::accept, "throttled-link-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** To the server on loopback {@code port}: what the server sends is slowed, what it is sent is not. */
  public static ThrottledLink slowFromServer(int port, int chunkBytes, long gapMillis) throws IOException {
    return new ThrottledLink(port, true, chunkBytes, gapMillis);
  }

  /** To the server on loopback {@code port}: what the server is sent is slowed, what it sends is not. */
  public static ThrottledLink slowToServer(int port, int chunkBytes, long gapMillis) throws IOException {
    return new ThrottledLink(port, false, chunkBytes, gapMillis);
  }

  /** The port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** The control plane's connect URL (PROTOCOL.md) through this link. */
  public String url() {
    return "ws://127.0.0.1:" + port() + "/v1/connect";
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(target);
        relay(client, target, slowToClient ? Integer.MAX_VALUE : chunkBytes, slowToClient ? 0 : gapMillis);
        relay(target, client, slowToClient ? chunkBytes : Integer.MAX_VALUE, slowToClient ? gapMillis : 0);
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
