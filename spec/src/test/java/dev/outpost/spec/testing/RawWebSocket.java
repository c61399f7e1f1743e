package dev.outpost.spec.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * One WebSocket connection (RFC 6455) written by hand over a plain socket, as either end: for what
 * a WebSocket library will not send, such as the head of a frame larger than the peer accepts
 * without its payload. A peer that goes on sending after it is refused may lose the close frame
 * it is answered with (the refusing end resets the connection on the unread bytes): a head alone
 * leaves nothing unread. No extensions, no fragments.
 */
public final class RawWebSocket implements AutoCloseable {
  public static final int TEXT = 0x1;
  public static final int CLOSE = 0x8;
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  /** A client masks what it sends (RFC 6455 section 5.3). */
  private final boolean client;

  private RawWebSocket(Socket socket, boolean client) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.client = client;
    socket.setSoTimeout(10_000);
  }

  /**
   * Opens {@code path} on {@code port} of loopback, sending {@code headers} ("Authorization: Bearer
   * …") with the upgrade request; throws when the answer is not 101, naming it.
   */
  public static RawWebSocket connect(int port, String path, String... headers) throws IOException {
    RawWebSocket ws = new RawWebSocket(new Socket("127.0.0.1", port), true);
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + Base64.getEncoder().encodeToString("outpost-raw-key!".getBytes(StandardCharsets.US_ASCII)) + "\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    ws.out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    String head = ws.readHead();
    if (!head.startsWith("HTTP/1.1 101")) {
      ws.close();
      throw new IOException("the upgrade was answered " + head.lines().findFirst().orElse("with nothing"));
    }
    return ws;
  }

  /** Accepts the next connection on {@code server} and upgrades it, whatever it asks for. */
  public static RawWebSocket accept(ServerSocket server) throws IOException {
    RawWebSocket ws = new RawWebSocket(server.accept(), false);
    String key = ws.readHead().lines()
        .filter(line -> line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
        .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst()
        .orElseThrow(() -> new IOException("the upgrade request has no Sec-WebSocket-Key"));
    ws.out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    return ws;
  }

  /** A text frame holding {@code text}. */
  public void sendText(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    writeHead(TEXT, payload.length);
    out.write(payload); // masked with a key of zeros: unchanged
    out.flush();
  }

  /** Only the head of a text frame announcing {@code length} bytes: none of them follow. */
  public void sendTextHead(long length) throws IOException {
    writeHead(TEXT, length);
    out.flush();
  }

  /** Reads frames until a close frame and returns its status code (1005 when it has none). */
  public int awaitCloseCode() throws IOException {
    while (true) {
      int first = readByte();
      int second = readByte();
      long length = second & 0x7F;
      if (length >= 126) {
        int bytes = length == 126 ? 2 : 8;
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | readByte();
        }
      }
      byte[] mask = (second & 0x80) != 0 ? in.readNBytes(4) : new byte[4];
      byte[] payload = readExactly(length);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i % 4];
      }
      if ((first & 0x0F) == CLOSE) {
        return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private void writeHead(int opcode, long length) throws IOException {
    out.write(0x80 | opcode);
    int masked = client ? 0x80 : 0;
    if (length < 126) {
      out.write(masked | (int) length);
    } else if (length <= 0xFFFF) {
      out.write(masked | 126);
      out.write((int) (length >>> 8));
      out.write((int) length);
    } else {
      out.write(masked | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (length >>> shift));
      }
    }
    if (client) {
      out.write(new byte[4]);
    }
  }

  /** An HTTP head, up to its blank line, as sent. */
  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      head.write(readByte());
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("the peer closed the connection without a close frame");
    }
    return b;
  }

  private byte[] readExactly(long length) throws IOException {
    if (length > 1 << 24) {
      throw new IOException("a frame of " + length + " bytes: more than this test reads");
    }
    byte[] payload = in.readNBytes((int) length);
    if (payload.length < length) {
      throw new EOFException("the peer closed the connection inside a frame");
    }
    return payload;
  }

  private static String accept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-1", e);
    }
  }
}
