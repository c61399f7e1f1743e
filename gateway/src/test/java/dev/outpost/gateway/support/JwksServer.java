package dev.outpost.gateway.support;

import dev.outpost.spec.testing.TestTls;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;

/**
 * A real JWKS endpoint on loopback: {@code GET /jwks/<name>} serves that issuer's public keys; an issuer can be taken down (503).
 * Over plain HTTP, or over TLS with a self-signed certificate for {@code localhost}, as an identity provider in the cluster with a
 * private CA.
 */
public final class JwksServer {

  private final HttpServer server;
  private final String base;
  private final Map<String, String> sets = new ConcurrentHashMap<>();
  private final Set<String> down = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
  private final AtomicInteger openFailures = new AtomicInteger();

  public JwksServer(Vertx vertx) throws Exception {
    this(vertx, null);
  }

  /** Over TLS, with the key and certificate of {@code tls} (made for {@code localhost}). */
  public static JwksServer overTls(Vertx vertx, TestTls tls) throws Exception {
    return new JwksServer(vertx, tls);
  }

  private JwksServer(Vertx vertx, TestTls tls) throws Exception {
    HttpServerOptions options = new HttpServerOptions();
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(new PfxOptions().setPath(tls.keyStore().toString()).setPassword(tls.password()));
    }
    server = vertx.createHttpServer(options).requestHandler(req -> {
      String name = req.path().substring(req.path().lastIndexOf('/') + 1);
      fetches.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      String set = sets.get(name);
      if (name.startsWith("oversized")) {
        // a valid start, then more than the gateway reads, chunked: no Content-Length to refuse it by
        req.response().setChunked(true).putHeader("Content-Type", "application/json");
        for (int i = 0; i < 64; i++) {
          req.response().write("x".repeat(16 * 1024));
        }
        req.response().end();
      } else if (name.startsWith("trickling")) {
        // one byte a second, never ending: each byte resets an idle timeout
        req.response().setChunked(true).putHeader("Content-Type", "application/json").write("{");
        long timer = vertx.setPeriodic(1000, id -> req.response().write(" "));
        req.connection().closeHandler(v -> vertx.cancelTimer(timer));
      } else if (name.startsWith("failing-trickle")) {
        // 503, then its body a byte a second, never ending (a CDN or proxy in front of the IdP)
        openFailures.incrementAndGet();
        req.response().setStatusCode(503).setChunked(true).write(" ");
        long timer = vertx.setPeriodic(1000, id -> req.response().write(" "));
        req.connection().closeHandler(v -> {
          vertx.cancelTimer(timer);
          openFailures.decrementAndGet();
        });
      } else if (name.startsWith("late")) {
        // the head after 1.8 s, then one byte a second, never ending
        vertx.setTimer(1800, id -> {
          req.response().setChunked(true).putHeader("Content-Type", "application/json").write("{");
          long timer = vertx.setPeriodic(1000, t -> req.response().write(" "));
          req.connection().closeHandler(v -> vertx.cancelTimer(timer));
        });
      } else if (name.startsWith("slow") && set != null) {
        // answers after 300 ms: requests arriving meanwhile wait on the same fetch
        vertx.setTimer(300, id -> req.response().putHeader("Content-Type", "application/json").end(set));
      } else if (down.contains(name) || set == null) {
        req.response().setStatusCode(503).end();
      } else {
        req.response().putHeader("Content-Type", "application/json").end(set);
      }
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = (tls == null ? "http://127.0.0.1:" : "https://localhost:") + server.actualPort();
  }

  public String uri(String name) {
    return base + "/jwks/" + name;
  }

  /** Publishes exactly these keys (public parts only) for {@code name}. */
  public void publish(String name, PublicJsonWebKey... keys) {
    JsonWebKeySet set = new JsonWebKeySet();
    for (PublicJsonWebKey key : keys) {
      set.addJsonWebKey(key);
    }
    sets.put(name, set.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
  }

  public void down(String name, boolean isDown) {
    if (isDown) {
      down.add(name);
    } else {
      down.remove(name);
    }
  }

  /** Connections still open to a {@code failing-trickle} issuer: its client kept them. */
  public int openFailingConnections() {
    return openFailures.get();
  }

  public int fetches(String name) {
    AtomicInteger n = fetches.get(name);
    return n == null ? 0 : n.get();
  }
}
