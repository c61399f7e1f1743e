package dev.outpost.spec.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Response heads read off raw connections, lower-cased: for the headers a client library hides or drops. */
public final class RawHeads {

  private RawHeads() {}

  /** The head of the answer to a GET of {@code path} on a new connection to {@code port} on loopback. */
  public static String get(int port, String path) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return read(socket.getInputStream());
    }
  }

  /** A response head read from {@code in}, up to its blank line or the end of the stream. */
  public static String read(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (head.indexOf("\r\n\r\n") < 0) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString().toLowerCase(Locale.ROOT);
  }
}
