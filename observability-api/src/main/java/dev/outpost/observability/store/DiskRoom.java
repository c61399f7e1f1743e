package dev.outpost.observability.store;

import dev.outpost.observability.config.ObservabilityConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How many bytes the data directory may take before ingest refuses new telemetry (503): what it takes
 * and its file system's free space above {@code ingest.min-free-disk-bytes}, and with {@code
 * ingest.max-data-bytes} (an emptyDir's size limit) no more than that less {@code
 * min-free-disk-bytes}. The disk guard at ingest refuses past it, and retention by size weighs the
 * same reading, so that the two never disagree on whether ingest refuses.
 */
@ApplicationScoped
public class DiskRoom {

  private final Path dataDir;
  private final long minFreeBytes;
  private final Optional<Long> maxDataBytes;
  private final FreeSpace freeSpace;

  @Inject
  DiskRoom(ObservabilityConfig config, FreeSpace freeSpace) {
    this(config.dataDir(), config.ingest().minFreeDiskBytes(), config.ingest().maxDataBytes(), freeSpace);
  }

  public DiskRoom(Path dataDir, long minFreeBytes, Optional<Long> maxDataBytes, FreeSpace freeSpace) {
    this.dataDir = dataDir;
    this.minFreeBytes = minFreeBytes;
    this.maxDataBytes = maxDataBytes;
    this.freeSpace = freeSpace;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Whether {@code ingest.max-data-bytes} is set: only then does the data directory's size decide. */
  public boolean limitsDataBytes() {
    return maxDataBytes.isPresent();
  }

  /** The free space now, for a data directory measured at {@code dataBytes}. */
  public Reading read(long dataBytes) throws IOException {
    Files.createDirectories(dataDir);
    return new Reading(dataBytes, freeSpace.of(dataDir), freeSpace.total(dataDir), minFreeBytes, maxDataBytes);
  }

  /**
   * One reading of the room.
   *
   * @param dataBytes the data directory's size, as last measured
   * @param freeBytes its file system's free space
   * @param totalBytes its file system's size
   * @param minFreeBytes {@code ingest.min-free-disk-bytes}
   * @param maxDataBytes {@code ingest.max-data-bytes}
   */
  public record Reading(long dataBytes, long freeBytes, long totalBytes, long minFreeBytes, Optional<Long> maxDataBytes) {

    /**
     * The most the data directory could take on this volume were it alone there: its size (or {@code
     * max-data-bytes}, if lower) less {@code min-free-disk-bytes}. Below a size limit, the volume cannot
     * hold that limit; above it, a refusal below the limit comes of other files on a shared volume.
     */
    public long capacityBytes() {
      long byVolume = totalBytes - minFreeBytes;
      return maxDataBytes.map(max -> Math.min(max - minFreeBytes, byVolume)).orElse(byVolume);
    }

    /** Whether ingest refuses: the free space is below the margin, or the margin is not left below the limit. */
    public boolean refuses() {
      return freeBytes < minFreeBytes || maxDataBytes.map(max -> max - dataBytes < minFreeBytes).orElse(false);
    }

    /** The most the data directory may take before ingest refuses, whichever of the two bounds is lower. */
    public long usableBytes() {
      long byFreeSpace = dataBytes + freeBytes - minFreeBytes;
      return maxDataBytes.map(max -> Math.min(max - minFreeBytes, byFreeSpace)).orElse(byFreeSpace);
    }

    /** How {@link #usableBytes} comes about, with its figures, for the log. */
    public String usableBytesWhy() {
      long byFreeSpace = dataBytes + freeBytes - minFreeBytes;
      return maxDataBytes.filter(max -> max - minFreeBytes <= byFreeSpace)
          .map(max -> "ingest.max-data-bytes (" + max + ") less ingest.min-free-disk-bytes (" + minFreeBytes + ")")
          .orElse("the " + dataBytes + " bytes it takes and the " + freeBytes + " bytes free on its file system, less"
              + " ingest.min-free-disk-bytes (" + minFreeBytes + ")");
    }

    /** Why ingest refuses, with the figures, for the log; empty while it does not. */
    public String refusesWhy() {
      if (freeBytes < minFreeBytes) {
        return freeBytes + " bytes free on its file system, below ingest.min-free-disk-bytes (" + minFreeBytes + ")";
      }
      return maxDataBytes.filter(max -> max - dataBytes < minFreeBytes)
          .map(max -> dataBytes + " bytes of data, within ingest.min-free-disk-bytes (" + minFreeBytes
              + ") of ingest.max-data-bytes (" + max + ")").orElse("");
    }
  }
}
