package dev.outpost.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A keep-alive upstream over raw sockets, for answers no HTTP server library would send: it reads
 * each request head (a body is not read) on each connection and writes back exactly the bytes
 * {@code answer} gives for it, keeping the connection open for the next one.
 */
public final class RawUpstream implements AutoCloseable {

  /** The bytes to answer a connection's {@code n}th request (from 1) with; null closes the connection unanswered. */
  public interface Answer {
    String answer(int n, String head);
  }

  private final ServerSocket server;
  private final Answer answer;
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final List<String> heads = new CopyOnWriteArrayList<>();

  public RawUpstream(int port, Function<String, String> answer) throws IOException {
    this(port, (n, head) -> answer.apply(head));
  }

  public RawUpstream(int port, Answer answer) throws IOException {
    this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    this.answer = answer;
    Thread acceptor = new Thread(this::accept, "raw-upstream-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** How many connections the gateway opened so far. */
  public int connections() {
    return connections.size();
  }

  /** The request heads received so far, on every connection, in order. */
  public List<String> heads() {
    return heads;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.add(socket);
        Thread serving = new Thread(() -> serve(socket), "raw-upstream-connection");
        serving.setDaemon(true);
        serving.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      int n = 0;
      for (String head = head(in); head != null; head = head(in)) {
        heads.add(head);
        String bytes = answer.answer(++n, head);
        if (bytes == null) {
          return;
        }
        socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
      }
    } catch (IOException closed) {
      // the gateway or the test closed the connection
    }
  }

  /** The next request head, up to its blank line; null at the end of the connection. */
  private static String head(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
      int c = in.read();
      if (c == -1) {
        return null;
      }
      head.append((char) c);
    }
    return head.toString();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : connections) {
      socket.close();
    }
  }
}
