package dev.outpost.observability.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bytes the file system holding a directory has free for this process, as {@link
 * java.nio.file.FileStore#getUsableSpace} reads them, and its size. A bean of its own so that a test
 * can stand for a volume smaller than the disk it runs on.
 */
@ApplicationScoped
public class FreeSpace {

  /** The bytes free for this process on the file system that holds {@code dir}, which exists. */
  public long of(Path dir) throws IOException {
    return Files.getFileStore(dir).getUsableSpace();
  }

  /** The size of the file system that holds {@code dir}, which exists. */
  public long total(Path dir) throws IOException {
    return Files.getFileStore(dir).getTotalSpace();
  }
}
