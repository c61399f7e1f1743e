package dev.outpost.agent.targets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent last wrote to each of its files (its length and the SHA-256 of the content, not the
 * content: the integration sources stay on disk only), so that a file event can be told apart: the
 * agent's own write, or someone else's change. Safe to use from the watch's thread and the reconciler's
 * at once.
 */
final class WrittenFiles {
  private final Map<Path, Written> written = new ConcurrentHashMap<>();

  private record Written(int length, byte[] digest) {}

  /** Records that {@code file} is to hold {@code content}; recorded before the write, so its event finds it. */
  void record(Path file, byte[] content) {
    written.put(file, new Written(content.length, sha256(content)));
  }

  /** Records that {@code file} is to be gone. */
  void forget(Path file) {
    written.remove(file);
  }

  /** Whether the agent wrote {@code file} (or found it holding what it was to write) and has not deleted it since. */
  boolean wrote(Path file) {
    return written.containsKey(file);
  }

  /** Whether the agent last wrote exactly {@code content} to {@code file}. */
  boolean lastWrote(Path file, byte[] content) {
    Written last = written.get(file);
    return last != null && Arrays.equals(last.digest(), sha256(content));
  }

  /**
   * Whether {@code file} is not what the agent last left there: another content, gone though the agent
   * wrote it, or there though the agent never wrote it. A file it cannot read counts as changed. Only a
   * regular file of the length written is read, and no more of it than that: anyone may put a file of
   * any size there (one over 2 GiB cannot be read whole, and ended the watch's thread).
   */
  boolean differs(Path file) {
    Written last = written.get(file);
    if (last == null) {
      return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }
    try {
      BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class);
      if (!now.isRegularFile() || now.size() != last.length()) {
        return true;
      }
      byte[] content;
      try (InputStream in = Files.newInputStream(file)) {
        content = in.readNBytes(last.length() + 1); // one byte more: a file grown since differs
      }
      return !Arrays.equals(last.digest(), sha256(content));
    } catch (IOException goneOrUnreadable) {
      return true;
    }
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has it
    }
  }
}
