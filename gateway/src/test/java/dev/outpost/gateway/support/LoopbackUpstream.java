package dev.outpost.gateway.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a loopback ephemeral port standing in for an integration: it records every
 * request it receives and answers {@code 200 upstream <uri>}; {@code /echo...} echoes the body,
 * {@code /slow...} answers after 1.5 s, {@code /pause?ms=N} after N ms, {@code /gaps?ms=N} sends
 * part of its body, the rest N ms later, {@code /big...} streams a large chunked body, {@code /huge...}
 * a body larger than every socket buffer on the way, as fast as it is read, {@code /overhalf...} 2 MiB
 * then nothing more until the gateway closes the connection, {@code /sized?bytes=N}
 * a body of N bytes with its {@code Content-Length}, {@code /half...} sends its head and part of
 * its body, then nothing more until the gateway closes the connection, {@code /drop...} sends its
 * head and part of its body, then closes its connection, {@code /drophead...} its head alone, then
 * closes, {@code /digest...} reads the
 * body as it streams, keeping none of it, and answers {@code <bytes> <sha-256 hex>} ({@link
 * #bodyStarted} tells when its first bytes arrived).
 */
public final class LoopbackUpstream implements AutoCloseable {

  /** One request as the upstream saw it. */
  public record Received(String method, String uri, MultiMap headers, Buffer body) {}

  public static final int BIG_CHUNKS = 256;
  public static final int CHUNK = 16 * 1024;
  public static final int HUGE_CHUNKS = 2048;

  private final Vertx vertx;
  private final HttpServer server;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> halfClosed = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> bodyStarted = new LinkedBlockingQueue<>();

  public LoopbackUpstream(Vertx vertx) throws Exception {
    this.vertx = vertx;
    this.server = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().contains("/digest")) {
        digest(req);
        return;
      }
      answer(req);
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void answer(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
      received.add(new Received(req.method().name(), req.uri(), headers, body));
      String path = req.path();
      if (path.contains("/echo")) {
        req.response().putHeader("Content-Type", "application/octet-stream").end(body);
      } else if (path.contains("/slow")) {
        vertx.setTimer(1500, t -> req.response().end("slow"));
      } else if (path.contains("/gaps")) {
        // a stream with a quiet spell, as server-sent events have
        req.response().setChunked(true).write("first ");
        vertx.setTimer(Long.parseLong(req.getParam("ms")), t -> req.response().end("second"));
      } else if (path.contains("/pause")) {
        vertx.setTimer(Long.parseLong(req.getParam("ms")), t -> req.response().end("paused"));
      } else if (path.contains("/overhalf")) {
        // more than a response buffer holds, then nothing until the gateway closes the connection
        req.response().setChunked(true);
        Buffer chunk = Buffer.buffer(new byte[CHUNK]);
        for (int i = 0; i < BIG_CHUNKS / 2; i++) {
          req.response().write(chunk);
        }
      } else if (path.contains("/half")) {
        req.connection().closeHandler(v -> halfClosed.add(req.uri()));
        req.response().setChunked(true).write("part of the body");
      } else if (path.contains("/drophead")) {
        req.response().setChunked(true).writeHead();
        vertx.setTimer(50, t -> req.connection().close());
      } else if (path.contains("/drop")) {
        req.response().setChunked(true).write("part of the body");
        vertx.setTimer(50, t -> req.connection().close());
      } else if (path.contains("/huge")) {
        req.response().setChunked(true);
        writeChunks(req.response(), Buffer.buffer(new byte[CHUNK]), HUGE_CHUNKS);
      } else if (path.contains("/sized")) {
        req.response().end(Buffer.buffer(new byte[Integer.parseInt(req.getParam("bytes"))]));
      } else if (path.contains("/big")) {
        req.response().setChunked(true);
        Buffer chunk = Buffer.buffer(new byte[CHUNK]);
        for (int i = 0; i < BIG_CHUNKS; i++) {
          req.response().write(chunk);
        }
        req.response().end();
      } else if (path.contains("/answer-status")) {
        req.response().setStatusCode(Integer.parseInt(req.getParam("status"))).end("the integration's own");
      } else if (path.contains("/acao")) {
        // an upstream with CORS headers of its own, cacheable
        req.response().putHeader("Access-Control-Allow-Origin", "*").putHeader("Cache-Control", "max-age=60")
            .end("acao");
      } else if (path.contains("/own-trace-header")) {
        req.response().putHeader("X-Outpost-Trace-Id", "the-integrations-own").end("own trace header");
      } else if (path.contains("/dated")) {
        req.response().putHeader("Date", "Mon, 01 Jan 2001 00:00:00 GMT").end("dated");
      } else if (path.contains("/hop")) {
        req.response().putHeader("Connection", "X-Upstream-Secret").putHeader("X-Upstream-Secret", "s")
            .putHeader("Keep-Alive", "timeout=5").end("hop");
      } else {
        req.response().putHeader("Content-Type", "text/plain").end("upstream " + req.uri());
      }
    });
  }

  /** Records the request (without its body), digests the body as it arrives and answers {@code <bytes> <sha-256 hex>}. */
  private void digest(HttpServerRequest req) {
    received.add(new Received(req.method().name(), req.uri(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
        Buffer.buffer()));
    MessageDigest sha256 = sha256();
    long[] bytes = {0};
    req.exceptionHandler(resetByGateway -> { });
    req.handler(chunk -> {
      if (bytes[0] == 0) {
        bodyStarted.add(req.uri());
      }
      bytes[0] += chunk.length();
      sha256.update(chunk.getBytes());
    });
    req.endHandler(v -> req.response().end(bytes[0] + " " + HexFormat.of().formatHex(sha256.digest())));
  }

  /** A new SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code left} copies of {@code chunk} as fast as the reader takes them, then ends. */
  private static void writeChunks(HttpServerResponse response, Buffer chunk, int left) {
    int remaining = left;
    while (remaining > 0 && !response.writeQueueFull()) {
      response.write(chunk);
      remaining--;
    }
    if (remaining == 0) {
      response.end();
    } else {
      int rest = remaining;
      response.drainHandler(v -> writeChunks(response, chunk, rest));
    }
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** Forgets what was received so far. */
  public void clear() {
    received.clear();
  }

  /** The next request received, waiting up to 5 s; null when none came. */
  public Received next() throws InterruptedException {
    return received.poll(5, TimeUnit.SECONDS);
  }

  /** Whether a request arrives within {@code millis}. */
  public Received poll(long millis) throws InterruptedException {
    return received.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** Whether the gateway closes the connection of a {@code /half} request for {@code uri} within {@code millis}. */
  public boolean halfClosed(String uri, long millis) throws InterruptedException {
    return await(halfClosed, uri, millis);
  }

  /** Whether the first bytes of a {@code /digest} request body for {@code uri} arrive within {@code millis}. */
  public boolean bodyStarted(String uri, long millis) throws InterruptedException {
    return await(bodyStarted, uri, millis);
  }

  /** Whether {@code uri} is taken from {@code uris} within {@code millis}, dropping the others taken before it. */
  private static boolean await(BlockingQueue<String> uris, String uri, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (String next = uris.poll(millis, TimeUnit.MILLISECONDS); next != null;
        next = uris.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
      if (next.equals(uri)) {
        return true;
      }
    }
    return false;
  }

  public int count() {
    return received.size();
  }

  @Override
  public void close() {
    server.close();
  }
}
