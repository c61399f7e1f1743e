package dev.outpost.observability.ingest;

import dev.outpost.observability.store.DirectorySize;
import dev.outpost.observability.store.DiskRoom;
import dev.outpost.observability.store.FreeSpace;
import dev.outpost.observability.store.lucene.LuceneStorage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Says when the data disk is nearly full, checked at most once a second: less than {@code
 * min-free-disk-bytes} free on its file system, or, with {@code max-data-bytes} (an emptyDir's size
 * limit, past which the kubelet evicts the pod and every record with it), less than that left below
 * the limit. When it starts saying so, {@code storage.retention-size} is checked at once ({@code
 * onNearlyFull}), and again every {@link #ASK_AGAIN_AFTER} while it does, so that a full disk frees
 * itself rather than refusing until a day ages out (one day a check also below the size, which the
 * volume may not hold: both weigh the same {@link DiskRoom}). The gauge {@code
 * outpost_ingest_disk_refusing} is 1 while it says so.
 */
@Startup
@ApplicationScoped
public class DiskGuard {
  private static final Logger LOG = Logger.getLogger(DiskGuard.class);

  private final DiskRoom room;
  private final Runnable onNearlyFull;
  private final LongSupplier nanoTime;
  /**
   * While it refuses, retention by size is asked for again this often: a pass that met a day kept
   * busy by searches, failed, or ran before the last writes reached the disk freed nothing.
   */
  static final Duration ASK_AGAIN_AFTER = Duration.ofSeconds(10);
  private final long askAgainNanos;
  /** {@link System#nanoTime()} of the last time retention by size was asked for. */
  private long askedAt;
  /** {@link System#nanoTime()} of the last check. */
  private volatile long checkedAt;
  private volatile boolean checkedOnce;
  private volatile boolean full;
  /** The data directory's size as last measured. */
  private volatile long dataBytes;
  private final AtomicBoolean measuring = new AtomicBoolean();
  private static final Executor MEASURER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "disk-guard");
    t.setDaemon(true);
    return t;
  });

  @Inject
  DiskGuard(DiskRoom room, LuceneStorage storage, MeterRegistry meters) {
    this(room, ASK_AGAIN_AFTER, storage::applySizeRetentionSoon);
    // read at each scrape, which checks again: a gauge kept by requests alone stayed 1 once senders gave up
    Gauge.builder("outpost.ingest.disk.refusing", this, guard -> guard.nearlyFull() ? 1 : 0)
        .description("1 while new telemetry is refused (503) for a nearly full data disk")
        .strongReference(true).register(meters);
  }

  DiskGuard(Path dataDir, long minFreeBytes, Optional<Long> maxDataBytes, Runnable onNearlyFull) {
    this(dataDir, minFreeBytes, maxDataBytes, ASK_AGAIN_AFTER, onNearlyFull);
  }

  /** As above, on {@code nanoTime}'s clock (a test's, which a slow machine does not move on). */
  DiskGuard(Path dataDir, long minFreeBytes, Optional<Long> maxDataBytes, Duration askAgainAfter,
      Runnable onNearlyFull, LongSupplier nanoTime) {
    this(new DiskRoom(dataDir, minFreeBytes, maxDataBytes, new FreeSpace()), askAgainAfter, onNearlyFull, nanoTime);
  }

  DiskGuard(Path dataDir, long minFreeBytes, Optional<Long> maxDataBytes, Duration askAgainAfter,
      Runnable onNearlyFull) {
    this(dataDir, minFreeBytes, maxDataBytes, askAgainAfter, onNearlyFull, System::nanoTime);
  }

  DiskGuard(DiskRoom room, Duration askAgainAfter, Runnable onNearlyFull) {
    // the monotonic clock: a wall clock stepped back an hour stopped the checks for that hour
    this(room, askAgainAfter, onNearlyFull, System::nanoTime);
  }

  private DiskGuard(DiskRoom room, Duration askAgainAfter, Runnable onNearlyFull, LongSupplier nanoTime) {
    this.askAgainNanos = askAgainAfter.toNanos();
    this.room = room;
    this.onNearlyFull = onNearlyFull;
    this.nanoTime = nanoTime;
  }

  public boolean nearlyFull() {
    long now = nanoTime.getAsLong();
    if (!checkedOnce || now - checkedAt > 1_000_000_000L) {
      check(now);
    }
    return full;
  }

  /** One check at a time: two event loops past the gate at once would each log the same change. */
  private synchronized void check(long now) {
    if (checkedOnce && now - checkedAt <= 1_000_000_000L) {
      return; // another thread has just checked
    }
    checkedAt = now;
    checkedOnce = true;
    boolean wasFull = full;
    String why;
    try {
      DiskRoom.Reading reading = room.read(dataBytes);
      full = reading.refuses();
      why = reading.refusesWhy();
    } catch (IOException e) {
      full = true;
      why = "its free space cannot be read: " + e.getMessage();
    }
    // said when it changes, not at each refused request: the senders' own logs were the only sign
    if (full && !wasFull) {
      LOG.warnf("the data directory %s is nearly full (%s): new telemetry is refused (503) until retention or an"
          + " operator frees space", room.dataDir(), why);
    } else if (!full && wasFull) {
      LOG.infof("the data directory %s has room again: telemetry is taken again", room.dataDir());
    }
    if (full && (!wasFull || now - askedAt >= askAgainNanos)) {
      askedAt = now;
      onNearlyFull.run();
    }
    if (room.limitsDataBytes() && measuring.compareAndSet(false, true)) {
      // thousands of files: walked off the caller's thread (an event loop), the next check reads it
      MEASURER.execute(this::measure);
    }
  }

  /**
   * Measures the data directory now (the next check reads it); for tests, at once. One walk at a
   * time: a walk begun before files were deleted must not write its older total over a newer one.
   */
  void measure() {
    synchronized (measuring) {
      measureNow();
    }
  }

  private void measureNow() {
    try {
      dataBytes = DirectorySize.of(room.dataDir());
    } catch (IOException e) {
      // unreadable: the last measure stands
    } finally {
      measuring.set(false);
    }
  }
}
