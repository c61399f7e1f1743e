package dev.outpost.observability.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Makes what a real directory holds undeletable until closed, as a file system that refuses does:
 * for an ordinary user by taking the directory's write permission, for root (whom permissions do
 * not stop) by {@code chattr +i}. A test that needs it is skipped where neither works.
 */
public final class Undeletable implements AutoCloseable {

  private final Path dir;
  private final Set<PosixFilePermission> permissions;
  private final boolean immutable;

  private Undeletable(Path dir, Set<PosixFilePermission> permissions, boolean immutable) {
    this.dir = dir;
    this.permissions = permissions;
    this.immutable = immutable;
  }

  /** The entries of {@code dir} can be neither deleted nor added until {@link #close}. */
  public static Undeletable entriesOf(Path dir) throws IOException, InterruptedException {
    Set<PosixFilePermission> before = Files.getPosixFilePermissions(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    if (refuses(dir)) {
      return new Undeletable(dir, before, false);
    }
    Files.setPosixFilePermissions(dir, before);
    if (chattr("+i", dir) && refuses(dir)) {
      return new Undeletable(dir, before, true);
    }
    chattr("-i", dir);
    assumeTrue(false, "neither a permission nor chattr +i makes " + dir + " refuse a deletion here");
    throw new IllegalStateException("unreachable");
  }

  /** Whether the directory refuses a new entry, as it then refuses removing one. */
  private static boolean refuses(Path dir) throws IOException {
    Path probe = dir.resolve(".undeletable-probe");
    try {
      Files.createFile(probe);
    } catch (IOException refused) {
      return true;
    }
    Files.delete(probe);
    return false;
  }

  private static boolean chattr(String change, Path dir) throws InterruptedException {
    try {
      return new ProcessBuilder("chattr", change, dir.toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    } catch (IOException noChattr) {
      return false;
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (immutable && !chattr("-i", dir)) {
      throw new IOException("chattr -i " + dir + " failed: delete it by hand");
    }
    Files.setPosixFilePermissions(dir, permissions);
  }
}
