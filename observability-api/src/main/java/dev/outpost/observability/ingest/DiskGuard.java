package dev.outpost.observability.ingest;

import dev.outpost.observability.config.ObservabilityConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Says when the data disk is nearly full, checked at most once a second: less than {@code
 * min-free-disk-bytes} free on its file system, or, with {@code max-data-bytes} (an emptyDir's size
 * limit, past which the kubelet evicts the pod and every record with it), less than that left below
 * the limit.
 */
@ApplicationScoped
public class DiskGuard {

  private final Path dataDir;
  private final long minFreeBytes;
  private final Optional<Long> maxDataBytes;
  private volatile long checkedAt;
  private volatile boolean full;

  @Inject
  DiskGuard(ObservabilityConfig config) {
    this(config.dataDir(), config.ingest().minFreeDiskBytes(), config.ingest().maxDataBytes());
  }

  DiskGuard(Path dataDir, long minFreeBytes, Optional<Long> maxDataBytes) {
    this.dataDir = dataDir;
    this.minFreeBytes = minFreeBytes;
    this.maxDataBytes = maxDataBytes;
  }

  public boolean nearlyFull() {
    long now = System.currentTimeMillis();
    if (now - checkedAt > 1000) {
      checkedAt = now;
      try {
        Files.createDirectories(dataDir);
        full = Files.getFileStore(dataDir).getUsableSpace() < minFreeBytes
            || (maxDataBytes.isPresent() && maxDataBytes.get() - size(dataDir) < minFreeBytes);
      } catch (IOException | UncheckedIOException e) {
        full = true;
      }
    }
    return full;
  }

  /** Bytes the files under {@code dir} hold; a file deleted while it is walked counts nothing. */
  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.mapToLong(f -> {
        try {
          return Files.isRegularFile(f) ? Files.size(f) : 0;
        } catch (IOException gone) {
          return 0;
        }
      }).sum();
    }
  }
}
