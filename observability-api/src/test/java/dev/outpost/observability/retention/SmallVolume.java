package dev.outpost.observability.retention;

import dev.outpost.observability.store.DirectorySize;
import dev.outpost.observability.store.FreeSpace;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The free space of a volume of {@link #BYTES} that holds the data directory alone, as a persistent
 * volume claim does: what the data directory does not take. For a test profile to enable; the disk
 * the tests run on has far more room.
 */
@Alternative
@ApplicationScoped
public class SmallVolume extends FreeSpace {
  static final long BYTES = 8L << 20;

  @Override
  public long of(Path dir) throws IOException {
    return Math.max(0, BYTES - DirectorySize.of(dir));
  }

  @Override
  public long total(Path dir) {
    return BYTES;
  }
}
