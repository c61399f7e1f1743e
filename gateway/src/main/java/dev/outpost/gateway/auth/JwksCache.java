package dev.outpost.gateway.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

/**
 * One identity provider's signing keys. Keys are served from memory; the JWKS is fetched again when
 * a token names an unknown {@code kid} (at most once per {@code minRefreshNanos}) and in the
 * background once the copy is older than {@code refreshNanos}. When the endpoint is down the last
 * good copy keeps serving; only a key that cannot be had at all is reported as {@link
 * Lookup#UNAVAILABLE}.
 */
public final class JwksCache {

  private static final Logger LOG = Logger.getLogger(JwksCache.class);
  private static final int MAX_JWKS_BYTES = 512 * 1024;

  /** The outcome of a key lookup. */
  public enum Lookup { FOUND, UNKNOWN, UNAVAILABLE }

  /** A lookup result: the key when {@link Lookup#FOUND}. */
  public record KeyResult(Lookup lookup, PublicJsonWebKey key, long generation) {}

  /** Marks a fetch whose deadline passed before its request was made. */
  private static final Object GIVEN_UP = new Object();

  private final String name;
  private final URI uri;
  private final Vertx vertx;
  private final HttpClient client;
  private final long minRefreshNanos;
  private final long refreshNanos;
  private final long fetchTimeoutMillis;

  /**
   * The keys and their generation, swapped as one: read apart, a request could pair a replaced key
   * with the new generation, and a verifier cached under that generation would serve the old key.
   */
  private record KeySet(Map<String, PublicJsonWebKey> byKid, long generation) {
    /** The key for {@code kid} (or, with a null kid, the only key of the set). */
    PublicJsonWebKey find(String kid) {
      if (kid == null) {
        return byKid.size() == 1 ? byKid.values().iterator().next() : null;
      }
      return byKid.get(kid);
    }
  }

  private volatile KeySet keys = new KeySet(Map.of(), 0);
  private volatile boolean lastFetchFailed;
  private volatile long fetchedAt;
  private volatile long lastAttemptAt;
  private volatile boolean attempted;
  private Future<Void> inFlight;

  public JwksCache(String name, URI uri, Vertx vertx, HttpClient client, long minRefreshNanos, long refreshNanos,
      long fetchTimeoutMillis) {
    this.name = name;
    this.uri = uri;
    this.vertx = vertx;
    this.client = client;
    this.minRefreshNanos = minRefreshNanos;
    this.refreshNanos = refreshNanos;
    this.fetchTimeoutMillis = fetchTimeoutMillis;
  }

  public URI uri() {
    return uri;
  }

  /** Bumped each time the key set changes: verified tokens remembered under an older one are dropped. */
  public long generation() {
    return keys.generation();
  }

  /**
   * The key for {@code kid} (or, with a null kid, the only key of the set).
   */
  public Future<KeyResult> key(String kid) {
    KeySet set = keys;
    PublicJsonWebKey key = set.find(kid);
    if (key != null) {
      refreshIfStale();
      return Future.succeededFuture(new KeyResult(Lookup.FOUND, key, set.generation()));
    }
    Future<Void> refreshed = refreshIfAllowed();
    if (refreshed == null) {
      return Future.succeededFuture(missing());
    }
    // the fetch completes on the event loop that started it; each waiter goes on on its own, where
    // the rest of its request's chain (its upstream client, its exchange) belongs
    Context caller = Vertx.currentContext();
    Promise<KeyResult> answer = Promise.promise();
    refreshed.onComplete(ar -> {
      KeySet now = keys;
      PublicJsonWebKey k = now.find(kid);
      KeyResult result = k != null ? new KeyResult(Lookup.FOUND, k, now.generation()) : missing();
      if (caller == null || caller == Vertx.currentContext()) {
        answer.complete(result);
      } else {
        caller.runOnContext(v -> answer.complete(result));
      }
    });
    return answer.future();
  }

  /**
   * Starts a background fetch when the copy is older than the refresh interval; callers keep using the
   * copy. While fetches fail the copy stays old, so they are tried at most once per minimum interval:
   * every request asks, and each would start the next fetch as soon as the last one failed.
   */
  public void refreshIfStale() {
    long now = System.nanoTime();
    if (now - fetchedAt > refreshNanos && (!attempted || now - lastAttemptAt >= minRefreshNanos)) {
      refreshIfAllowed();
    }
  }

  private KeyResult missing() {
    return new KeyResult(lastFetchFailed ? Lookup.UNAVAILABLE : Lookup.UNKNOWN, null, keys.generation());
  }

  /** Starts a fetch unless one ran within the minimum interval; null when refused. */
  private synchronized Future<Void> refreshIfAllowed() {
    if (inFlight != null) {
      return inFlight;
    }
    if (attempted && System.nanoTime() - lastAttemptAt < minRefreshNanos) {
      return null;
    }
    return refresh();
  }

  /** Fetches the JWKS now (one fetch at a time). */
  public synchronized Future<Void> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    attempted = true;
    lastAttemptAt = System.nanoTime();
    Promise<Void> done = Promise.promise();
    inFlight = done.future();
    fetch().onComplete(ar -> {
      if (ar.succeeded()) {
        install(ar.result());
      } else {
        lastFetchFailed = true;
        LOG.warnf("JWKS of identity provider %s (%s) could not be fetched: %s", name, uri, ar.cause().getMessage());
      }
      synchronized (this) {
        inFlight = null;
      }
      done.complete();
    });
    return done.future();
  }

  /**
   * Fetches and parses the JWKS within {@code fetchTimeoutMillis} in all: connecting, the TLS
   * handshake, waiting for the head and reading the body share the one deadline (each had its own
   * before, so a slow identity provider held requests with an unknown kid several times as long).
   */
  private Future<Map<String, PublicJsonWebKey>> fetch() {
    boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(uri.getHost()).setPort(port)
        .setSsl(ssl).setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
        .setTimeout(fetchTimeoutMillis).putHeader("Accept", "application/json");
    Promise<Buffer> received = Promise.promise();
    // the request once made, or GIVEN_UP once the deadline passed: whichever comes second resets it
    AtomicReference<Object> sent = new AtomicReference<>();
    long deadline = vertx.setTimer(fetchTimeoutMillis, id -> {
      if (received.tryFail("JWKS not received within " + fetchTimeoutMillis + " ms")
          && sent.getAndSet(GIVEN_UP) instanceof HttpClientRequest request) {
        request.reset();
      }
    });
    client.request(options)
        .compose(req -> {
          if (!sent.compareAndSet(null, req)) {
            // connected after the deadline: not sent, nor read with no deadline left
            req.reset();
            return Future.failedFuture("connected after the deadline");
          }
          return req.send();
        })
        .compose(this::body)
        .onComplete(ar -> {
          vertx.cancelTimer(deadline);
          if (ar.succeeded()) {
            received.tryComplete(ar.result());
          } else {
            received.tryFail(ar.cause());
          }
        });
    return received.future().compose(body -> {
      try {
        return Future.succeededFuture(parse(body.toString()));
      } catch (JoseException | RuntimeException e) {
        return Future.failedFuture("not a JWKS: " + e.getMessage());
      }
    });
  }

  private Future<Buffer> body(HttpClientResponse response) {
    if (response.statusCode() != 200) {
      return refused(response, "HTTP " + response.statusCode());
    }
    String length = response.getHeader("Content-Length");
    if (length != null && !length.chars().allMatch(Character::isDigit)) {
      return refused(response, "a Content-Length that is not a number");
    }
    if (length != null && (length.length() >= 12 || Long.parseLong(length) > MAX_JWKS_BYTES)) {
      return refused(response, "JWKS larger than " + MAX_JWKS_BYTES + " bytes");
    }
    // read by hand: a chunked body has no length to check first (the fetch's deadline bounds a body
    // trickling in, which the request's idle timeout never reaches)
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer();
    response.handler(chunk -> {
      if (body.length() + chunk.length() > MAX_JWKS_BYTES) {
        if (done.tryFail("JWKS larger than " + MAX_JWKS_BYTES + " bytes")) {
          response.request().reset();
        }
        return;
      }
      body.appendBuffer(chunk);
    });
    response.exceptionHandler(done::tryFail);
    response.endHandler(v -> done.tryComplete(body));
    return done.future();
  }

  /**
   * A body not read is reset, not left to arrive: a trickling one held its pooled connection past
   * the fetch's deadline, and a few of them the whole pool.
   */
  private static Future<Buffer> refused(HttpClientResponse response, String why) {
    response.request().reset();
    return Future.failedFuture(why);
  }

  /**
   * Only public signing keys with a usable algorithm family are kept (not those whose {@code use} or
   * {@code key_ops} say they are not for verifying); private parts are never read.
   */
  static Map<String, PublicJsonWebKey> parse(String json) throws JoseException {
    Map<String, PublicJsonWebKey> parsed = new HashMap<>();
    int anonymous = 0;
    for (JsonWebKey jwk : new JsonWebKeySet(json).getJsonWebKeys()) {
      if (!(jwk instanceof PublicJsonWebKey pub) || (jwk.getUse() != null && !"sig".equals(jwk.getUse()))
          || (jwk.getKeyOps() != null && !jwk.getKeyOps().contains("verify"))) {
        continue;
      }
      String kid = jwk.getKeyId() != null ? jwk.getKeyId() : "\0anonymous-" + anonymous++;
      parsed.put(kid, pub);
    }
    return parsed;
  }

  private void install(Map<String, PublicJsonWebKey> fresh) {
    fetchedAt = System.nanoTime();
    lastFetchFailed = false;
    KeySet old = keys;
    if (!fresh.keySet().equals(old.byKid().keySet()) || !sameKeys(old, fresh)) {
      keys = new KeySet(Map.copyOf(fresh), old.generation() + 1);
      LOG.infof("JWKS of identity provider %s: %d signing keys %s", name, fresh.size(), fresh.keySet());
    }
  }

  private static boolean sameKeys(KeySet old, Map<String, PublicJsonWebKey> fresh) {
    for (Map.Entry<String, PublicJsonWebKey> e : fresh.entrySet()) {
      PublicJsonWebKey before = old.byKid().get(e.getKey());
      if (before == null || !before.getPublicKey().equals(e.getValue().getPublicKey())) {
        return false;
      }
    }
    return true;
  }
}
