package dev.outpost.observability.query;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.TimeRange;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * The {@code nextCursor} of a log page: where the next page starts, the time range and a
 * fingerprint of the query it belongs to, sealed with AES-GCM under a key kept in the data
 * directory ({@code cursor-key}, made at first use, so cursors outlive a restart).
 *
 * <p>Sealed because the position holds the journal's sequence number, which counts every record
 * and span of every project: read in plain text, a caller's cursor told how much the other projects
 * of the data plane were sending. Bound to its range and query because a page after the first
 * continues that listing: a client asking for "the last hour" again minutes later, or with another
 * filter, would otherwise skip records or get another listing's page.
 */
@ApplicationScoped
public class LogCursors {
  static final String KEY_FILE = "cursor-key";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int PLAIN_BYTES = 5 * Long.BYTES;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int KEY_BYTES = 32;
  private static final Logger LOG = Logger.getLogger(LogCursors.class);

  private final SecretKey key;

  @Inject
  LogCursors(ObservabilityConfig config) {
    this(config.dataDir().resolve(KEY_FILE));
  }

  LogCursors(Path keyFile) {
    this.key = new SecretKeySpec(keyIn(keyFile), "AES");
  }

  /** What a cursor says: where to continue, over which range, for which query. */
  public record Cursor(LogSearch.Position position, TimeRange range, long query) {}

  public String encode(LogSearch.Position position, TimeRange range, long query) {
    ByteBuffer plain = ByteBuffer.allocate(PLAIN_BYTES).putLong(position.timeNanos()).putLong(position.seq())
        .putLong(range.fromNanos()).putLong(range.toNanos()).putLong(query);
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(plain.array());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /** The cursor's content; 400 for anything this API did not make (or made under another key). */
  public Optional<Cursor> decode(String cursor) {
    if (cursor == null || cursor.isBlank()) {
      return Optional.empty();
    }
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(cursor.trim());
      if (bytes.length == NONCE_BYTES + PLAIN_BYTES + TAG_BITS / 8) {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
        ByteBuffer plain = ByteBuffer.wrap(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES));
        LogSearch.Position position = new LogSearch.Position(plain.getLong(), plain.getLong());
        return Optional.of(new Cursor(position, new TimeRange(plain.getLong(), plain.getLong()), plain.getLong()));
      }
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      // falls through to the error
    }
    throw ApiException.badRequest("cursor is not one this API returned; start again without it");
  }

  /** A fingerprint of what selects a listing's records, besides its range. */
  public static long query(Set<String> projects, String text, Optional<String> integration, int minSeverity) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String part : List.of(String.join(",", projects.stream().sorted().toList()), text == null ? "" : text,
          integration.orElse(""), Integer.toString(minSeverity))) {
        digest.update(part.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return ByteBuffer.wrap(digest.digest()).getLong();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * The key, made once: written to a temporary file, synced, and moved in, so two starts agree on
   * one. A key file of another length (one cut short by a crash) is replaced: the cursors given out
   * before stop working, rather than every log search failing until someone deletes it.
   */
  private static byte[] keyIn(Path file) {
    try {
      if (Files.exists(file)) {
        byte[] key = Files.readAllBytes(file);
        if (key.length == KEY_BYTES) {
          return key;
        }
        LOG.warnf("%s holds %d bytes, not a %d-byte key: making a new one (cursors given out before stop working)",
            file, key.length, KEY_BYTES);
        Files.delete(file);
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      byte[] made = new byte[KEY_BYTES];
      RANDOM.nextBytes(made);
      Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), KEY_FILE, ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(made));
        channel.force(true);
      }
      try {
        Files.move(temporary, file);
      } catch (FileAlreadyExistsException e) {
        Files.delete(temporary);
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or make " + file, e);
    }
  }
}
