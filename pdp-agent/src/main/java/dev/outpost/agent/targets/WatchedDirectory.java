package dev.outpost.agent.targets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A directory the {@link LocalDriftWatch} registered, with the file key (device and inode) it had then.
 * A watch follows the inode, not the path: a directory renamed away keeps its watch, and the JDK asks
 * inotify for no IN_MOVE_SELF, so no event tells of it; the key told apart is how the watch learns.
 */
record WatchedDirectory(Path path, Object fileKey) {

  /** {@code path} as it is now; throws when it is not there. */
  static WatchedDirectory of(Path path) throws IOException {
    return new WatchedDirectory(path, Files.readAttributes(path, BasicFileAttributes.class).fileKey());
  }

  /** Whether {@code path} is still the directory registered: neither gone nor replaced. */
  boolean stillThere() {
    try {
      BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
      return now.isDirectory() && Objects.equals(now.fileKey(), fileKey);
    } catch (IOException gone) {
      return false;
    }
  }
}
