package dev.outpost.observability.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.testing.LogLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory with a size limit of its own (an emptyDir's, past which the kubelet evicts the
 * pod and every record with it) is nearly full once less than the free margin is left below the
 * limit, whatever the node's disk has free. Before, only the file system's free space counted.
 */
class DiskGuardTest {
  @TempDir Path data;

  @Test
  void aDirectoryNearItsLimitIsNearlyFull() throws Exception {
    long mib = 1 << 20;
    Files.write(data.resolve("segment-1"), new byte[(int) (3 * mib)]);
    Files.createDirectories(data.resolve("2026-12-05"));
    Files.write(data.resolve("2026-12-05/segment-2"), new byte[(int) (2 * mib)]);

    assertThat(measured(new DiskGuard(data, mib, Optional.of(7 * mib), () -> {})).nearlyFull()).as("2 MiB left, 1 kept free")
        .isFalse();
    assertThat(measured(new DiskGuard(data, mib, Optional.of(5 * mib + mib / 2), () -> {})).nearlyFull()).as("half a MiB left")
        .isTrue();
    assertThat(new DiskGuard(data, mib, Optional.empty(), () -> {}).nearlyFull()).as("no limit of its own").isFalse();
  }

  /** Refusing for a full disk is said once, when it starts, naming the limit: before, only the senders' logs showed it. */
  @Test
  void goingFullIsLoggedOnceNamingTheLimit() throws Exception {
    long mib = 1 << 20;
    Files.write(data.resolve("segment-1"), new byte[(int) (3 * mib)]);
    try (LogLines log = LogLines.of(DiskGuard.class)) {
      DiskGuard guard = measured(new DiskGuard(data, mib, Optional.of(3 * mib + mib / 2), () -> {}));
      assertThat(guard.nearlyFull()).isTrue();
      assertThat(guard.nearlyFull()).isTrue();
      assertThat(log.warnings()).singleElement().satisfies(line -> assertThat(line).contains("nearly full")
          .contains("ingest.max-data-bytes (" + (3 * mib + mib / 2) + ")").contains("refused (503)"));
    }
  }

  /**
   * Starting to refuse asks for retention by size at once, and again every interval while it refuses
   * (a pass that met a day kept busy by searches, failed, or ran before the last writes reached the
   * disk freed nothing: it was asked once, and ingest answered 503 until the hourly pass); not at every
   * refused request, and no more once ingest is taken again.
   */
  @Test
  void whileItRefusesRetentionBySizeIsAskedForAgainEveryInterval() throws Exception {
    long mib = 1 << 20;
    Path segment = data.resolve("segment-1");
    Files.write(segment, new byte[(int) (3 * mib)]);
    AtomicInteger asked = new AtomicInteger();
    AtomicLong clock = new AtomicLong(); // nanoseconds, moved by the test alone
    DiskGuard guard = measured(new DiskGuard(data, mib, Optional.of(3 * mib + mib / 2), Duration.ofMillis(2500),
        asked::incrementAndGet, clock::get));
    assertThat(guard.nearlyFull()).isTrue();
    assertThat(guard.nearlyFull()).isTrue();
    assertThat(asked).as("at once").hasValue(1);

    clock.addAndGet(Duration.ofMillis(1100).toNanos()); // checked at most once a second
    assertThat(guard.nearlyFull()).isTrue();
    assertThat(asked).as("checked again within the interval").hasValue(1);
    clock.addAndGet(Duration.ofMillis(1600).toNanos());
    assertThat(guard.nearlyFull()).isTrue();
    assertThat(asked).as("still refusing after the interval: asked again").hasValue(2);

    Files.delete(segment); // what retention by size does
    guard.measure();
    clock.addAndGet(Duration.ofMillis(2600).toNanos());
    assertThat(guard.nearlyFull()).isFalse();
    assertThat(asked).as("taken again: not asked").hasValue(2);
  }

  private static DiskGuard measured(DiskGuard guard) {
    guard.measure();
    return guard;
  }
}
