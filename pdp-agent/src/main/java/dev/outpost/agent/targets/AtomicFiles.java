package dev.outpost.agent.targets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Writes files so that a reader sees the old or the new content, never a part: a temporary file in
 * the same directory, fsynced, renamed over the old one, then the directory fsynced so the rename
 * survives a crash. Files are readable by their owner only (0600, directories made for them 0700):
 * they hold integration sources, which may be confidential, as the Kubernetes store's Secret does.
 */
public final class AtomicFiles {
  private static final Logger LOG = Logger.getLogger(AtomicFiles.class);
  /** Prefix of temporary files; readers and inventories skip names starting with a dot. */
  public static final String TEMP_PREFIX = ".tmp-";
  private static final Set<PosixFilePermission> OWNER_ONLY_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(OWNER_ONLY_PERMISSIONS);

  private AtomicFiles() {}

  /**
   * Writes {@code content} to {@code file} unless it already holds exactly that.
   *
   * @return whether the file changed
   */
  public static boolean write(Path file, byte[] content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (holds(file, content)) {
      // made readable to others: its mode put back in place, if the file system keeps modes at all
      // (a drvfs or CIFS mount reads back another, and rewriting would change the file at every pass)
      try {
        return posix && ownerOnlyAgain(file);
      } catch (java.nio.file.FileSystemException notOurs) {
        // another user's file (an earlier run under sudo): renamed over, as a changed one is
      }
    }
    if (!Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
      // the new directory's entry too: after a power loss, a file in a directory that is not there
      syncDirectory(dir.getParent());
    }
    Path temp = dir.resolve(TEMP_PREFIX + file.getFileName() + "-" + UUID.randomUUID());
    try {
      try (FileChannel channel = posix
          ? FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)
          : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDirectory(dir);
    return true;
  }

  /**
   * Whether {@code file} holds exactly {@code content}. One the agent cannot read is written again
   * (a rename over it needs only the directory): it failed every revision before. Only a file of
   * {@code content}'s length is read, and no more of it: one over 2 GiB put there by hand cannot be
   * read whole (an OutOfMemoryError failed every pass).
   */
  private static boolean holds(Path file, byte[] content) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) != content.length) {
        return false;
      }
      try (InputStream in = Files.newInputStream(file)) {
        return Arrays.equals(in.readNBytes(content.length + 1), content); // one byte more: grown since
      }
    } catch (IOException unreadable) {
      return false;
    }
  }

  /** Whether {@code file}'s mode was other than 0600 and is 0600 now. */
  private static boolean ownerOnlyAgain(Path file) throws IOException {
    if (Files.getPosixFilePermissions(file).equals(OWNER_ONLY_PERMISSIONS)) {
      return false;
    }
    Files.setPosixFilePermissions(file, OWNER_ONLY_PERMISSIONS);
    return Files.getPosixFilePermissions(file).equals(OWNER_ONLY_PERMISSIONS);
  }

  /**
   * Deletes {@code file} if it exists, durably.
   *
   * @return whether it existed
   */
  public static boolean delete(Path file) throws IOException {
    boolean existed = Files.deleteIfExists(file);
    if (existed) {
      syncDirectory(file.toAbsolutePath().getParent());
    }
    return existed;
  }

  /**
   * Deletes the temporary files an earlier run left in {@code dirs} when it stopped mid-write (a kill
   * -9, a power loss): nothing else ever removes them, and each may be as large as a state. Called at
   * start, before this process writes there; one local agent writes a home.
   */
  public static void removeLeftovers(Collection<Path> dirs) {
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        List<Path> leftovers = files.filter(f -> f.getFileName().toString().startsWith(TEMP_PREFIX)
            && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList();
        for (Path leftover : leftovers) {
          Files.deleteIfExists(leftover);
        }
        if (!leftovers.isEmpty()) {
          LOG.infof("removed %d temporary file(s) an earlier run left in %s when it stopped mid-write",
              leftovers.size(), dir);
        }
      } catch (IOException e) {
        LOG.warnf("cannot remove the temporary files an earlier run left in %s: %s", dir, e.getMessage());
      }
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open a directory for syncing; the rename itself is still atomic.
    }
  }
}
