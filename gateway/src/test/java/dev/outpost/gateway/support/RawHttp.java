package dev.outpost.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Sends exactly the bytes given over a fresh socket and reads one response: for requests no client library would send. */
public final class RawHttp {

  /** A response as read off the wire; status 0 when the connection closed without one. */
  public record Response(int status, Map<String, String> headers, String body, String statusLine) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private RawHttp() {}

  public static Response send(int port, String request) throws IOException {
    return send(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  public static Response send(int port, byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      return read(socket.getInputStream());
    }
  }

  /** Reads one response (an interim {@code 1xx} one too) from a connection the test holds open. */
  public static Response read(InputStream in) throws IOException {
    return read(in, true);
  }

  /** Reads the answer to a {@code HEAD}: its status and headers, never a body whatever they announce. */
  public static Response readHeadAnswer(InputStream in) throws IOException {
    return read(in, false);
  }

  private static Response read(InputStream in, boolean withBody) throws IOException {
    String statusLine;
    try {
      statusLine = line(in);
    } catch (SocketTimeoutException | java.net.SocketException e) {
      return new Response(0, Map.of(), "", "");
    }
    if (statusLine == null || !statusLine.startsWith("HTTP/")) {
      return new Response(0, Map.of(), statusLine == null ? "" : statusLine, "");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      headers.merge(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim(), (a, b) -> a + "," + b);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = headers.get("content-length");
    if (!withBody) {
      return new Response(status, headers, "", statusLine);
    } else if (length != null) {
      byte[] bytes = in.readNBytes(Integer.parseInt(length));
      body.write(bytes);
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
        body.write(in.readNBytes(size));
        line(in);
      }
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8), statusLine);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        return sb.toString().replace("\r", "");
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }
}
