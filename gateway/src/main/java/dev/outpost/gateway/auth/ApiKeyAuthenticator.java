package dev.outpost.gateway.auth;

import dev.outpost.gateway.config.GatewayConfig;
import dev.outpost.spec.model.ApiKeyAuth;
import dev.outpost.spec.model.SecretRef;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * API key authentication. The route's secret ({@code <secrets-dir>/<name>/<key>}, a mounted
 * Kubernetes Secret in the chart) holds one key per line as {@code <client-id>:<sha256-hex of the
 * key>}; blank lines and lines starting with {@code #} are ignored whatever their bytes (a key line
 * that is not UTF-8 is skipped with a warning). A secret that is missing or cannot be read gives
 * 503. Keys are never stored in plain text. The presented key is hashed and compared with every
 * stored hash in constant time; the client id becomes the subject. The file is re-read when it changes (checked at most once a
 * second, off the event loop), so keys rotate without a restart.
 */
@Singleton
public class ApiKeyAuthenticator {

  private static final Logger LOG = Logger.getLogger(ApiKeyAuthenticator.class);
  private static final long RECHECK_NANOS = 1_000_000_000L;
  private static final int MAX_KEY_LENGTH = 512;

  private static final long REPORT_EVERY_NANOS = 60_000_000_000L;

  /** One parsed secret file. */
  private record KeyFile(String version, List<String> clients, List<byte[]> hashes, long checkedAt) {}

  /** A secret found missing or unreadable, answered 503 until it is checked again; logged at {@code reportedAt}. */
  private record Unavailable(AuthFailure failure, long checkedAt, long reportedAt) {}

  private final Path secretsDir;
  private final Vertx vertx;
  private final boolean kubernetes;
  private final ConcurrentMap<String, KeyFile> files = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Unavailable> unavailable = new ConcurrentHashMap<>();

  ApiKeyAuthenticator(GatewayConfig config, Vertx vertx) {
    this.secretsDir = config.secretsDir().orElse(config.home().resolve("secrets"));
    this.vertx = vertx;
    this.kubernetes = config.mode() == GatewayConfig.Mode.KUBERNETES;
  }

  /** The caller for the key in the route's header, or a failed future with a 401 {@link AuthFailure}. */
  public Future<Identity> authenticate(MultiMap headers, ApiKeyAuth auth) {
    String header = auth.headerName();
    List<String> values = headers.getAll(header);
    if (values.size() != 1 || values.get(0).isEmpty() || values.get(0).length() > MAX_KEY_LENGTH) {
      return Future.failedFuture(AuthFailure.unauthorized(values.size() > 1
          ? "only one " + header + " header is accepted" : "an API key is required in " + header));
    }
    byte[] presented = sha256(values.get(0));
    return keyFile(auth.keys()).map(file -> {
      String client = null;
      for (int i = 0; i < file.hashes().size(); i++) {
        if (MessageDigest.isEqual(presented, file.hashes().get(i)) && client == null) {
          client = file.clients().get(i);
        }
      }
      if (client == null) {
        throw AuthFailure.unauthorized("the API key is not valid");
      }
      return new Identity(client, List.of(), "apiKey");
    });
  }

  private Future<KeyFile> keyFile(SecretRef ref) {
    String id = ref.name() + "/" + ref.key();
    KeyFile cached = files.get(id);
    long now = System.nanoTime();
    if (cached != null && now - cached.checkedAt() < RECHECK_NANOS) {
      return Future.succeededFuture(cached);
    }
    // a missing secret is looked for again at most once a second too, not by every request off the loop
    Unavailable missing = unavailable.get(id);
    if (missing != null && now - missing.checkedAt() < RECHECK_NANOS) {
      return Future.failedFuture(missing.failure());
    }
    return vertx.executeBlocking(() -> load(id, ref, cached), false);
  }

  private AuthFailure unavailable(String id, String problem) {
    long now = System.nanoTime();
    AuthFailure failure = new AuthFailure(503, "the route's API keys are not available");
    Unavailable before = unavailable.get(id);
    // logged once a minute, not at every check
    boolean report = before == null || now - before.reportedAt() >= REPORT_EVERY_NANOS;
    unavailable.put(id, new Unavailable(failure, now, report ? now : before.reportedAt()));
    if (report) {
      LOG.errorf("secret %s (API keys of a route) %s; its routes answer 503 until it is there%s", id, problem,
          kubernetes ? " (the chart mounts a Secret listed in gateway.secretMounts, once it exists in the namespace)" : "");
    }
    return failure;
  }

  private KeyFile load(String id, SecretRef ref, KeyFile cached) {
    Path file = secretsDir.resolve(ref.name()).resolve(ref.key()).normalize();
    if (!file.startsWith(secretsDir.normalize())) {
      throw new AuthFailure(503, "the route's API key secret is not readable");
    }
    try {
      String version = Files.getLastModifiedTime(file).toMillis() + "/" + Files.size(file);
      if (cached != null && cached.version().equals(version)) {
        KeyFile same = new KeyFile(version, cached.clients(), cached.hashes(), System.nanoTime());
        files.put(id, same);
        unavailable.remove(id);
        return same;
      }
      List<String> clients = new ArrayList<>();
      List<byte[]> hashes = new ArrayList<>();
      int lineNo = 0;
      // read as Latin-1 (one char per byte) so that a comment is skipped whatever its bytes; only
      // key lines must be UTF-8
      for (String rawLine : new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\r?\n")) {
        lineNo++;
        String raw = rawLine.trim();
        if (raw.isEmpty() || raw.startsWith("#")) {
          continue;
        }
        String trimmed;
        try {
          trimmed = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
          LOG.warnf("secret %s line %d ignored: not UTF-8", id, lineNo);
          continue;
        }
        int colon = trimmed.lastIndexOf(':');
        String hex = colon < 0 ? "" : trimmed.substring(colon + 1).trim();
        if (colon <= 0 || hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
          LOG.warnf("secret %s line %d ignored: expected <client-id>:<sha256-hex>", id, lineNo);
          continue;
        }
        clients.add(trimmed.substring(0, colon).trim());
        hashes.add(HexFormat.of().parseHex(hex.toLowerCase()));
      }
      KeyFile loaded = new KeyFile(version, List.copyOf(clients), List.copyOf(hashes), System.nanoTime());
      files.put(id, loaded);
      unavailable.remove(id);
      return loaded;
    } catch (NoSuchFileException e) {
      throw unavailable(id, "not found at " + file);
    } catch (IOException e) {
      throw unavailable(id, "not readable at " + file + ": " + e.getMessage());
    }
  }

  /** SHA-256 of a key, as stored in the secret (hex). */
  public static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
