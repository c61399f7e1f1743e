package dev.outpost.observability.ingest;

import dev.outpost.observability.config.ObservabilityConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;

/** Says when the data disk is nearly full, checked at most once a second. */
@ApplicationScoped
public class DiskGuard {

  @Inject ObservabilityConfig config;

  private volatile long checkedAt;
  private volatile boolean full;

  public boolean nearlyFull() {
    long now = System.currentTimeMillis();
    if (now - checkedAt > 1000) {
      checkedAt = now;
      try {
        Files.createDirectories(config.dataDir());
        full = Files.getFileStore(config.dataDir()).getUsableSpace() < config.ingest().minFreeDiskBytes();
      } catch (IOException e) {
        full = true;
      }
    }
    return full;
  }
}
