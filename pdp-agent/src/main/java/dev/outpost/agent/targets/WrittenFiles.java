package dev.outpost.agent.targets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent last wrote to each of its files (the SHA-256 of the content, not the content: the
 * integration sources stay on disk only), so that a file event can be told apart: the agent's own
 * write, or someone else's change. Safe to use from the watch's thread and the reconciler's at once.
 */
final class WrittenFiles {
  private final Map<Path, byte[]> digests = new ConcurrentHashMap<>();

  /** Records that {@code file} is to hold {@code content}; recorded before the write, so its event finds it. */
  void record(Path file, byte[] content) {
    digests.put(file, sha256(content));
  }

  /** Records that {@code file} is to be gone. */
  void forget(Path file) {
    digests.remove(file);
  }

  /** Whether the agent wrote {@code file} (or found it holding what it was to write) and has not deleted it since. */
  boolean wrote(Path file) {
    return digests.containsKey(file);
  }

  /** Whether the agent last wrote exactly {@code content} to {@code file}. */
  boolean lastWrote(Path file, byte[] content) {
    byte[] digest = digests.get(file);
    return digest != null && Arrays.equals(digest, sha256(content));
  }

  /**
   * Whether {@code file} is not what the agent last left there: another content, gone though the agent
   * wrote it, or there though the agent never wrote it. A file it cannot read counts as changed.
   */
  boolean differs(Path file) {
    byte[] digest = digests.get(file);
    byte[] now;
    try {
      now = sha256(Files.readAllBytes(file));
    } catch (NoSuchFileException gone) {
      return digest != null;
    } catch (IOException unreadable) {
      return true;
    }
    return digest == null || !Arrays.equals(digest, now);
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has it
    }
  }
}
