package dev.outpost.observability.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.observability.store.LogEntry;
import dev.outpost.observability.store.LogSearch;
import dev.outpost.observability.store.Owner;
import dev.outpost.observability.store.ProjectScope;
import dev.outpost.observability.store.TimeRange;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Damage met by searches, not by an open: files of a day whose searcher is open, cut short (a crash,
 * met as the JVM's fault on a memory-mapped read) or written over (a bad disk, met as whatever the
 * bytes decode to). Each leaves that day out, named, and the other day answers. (The postings of
 * this small day's few blocks are hardly read; DamagedDayTest damages every file of a day.)
 */
class DamagedDaysTest {

  private static final long DAY = 86_400_000_000_000L;

  @TempDir Path dir;

  @ParameterizedTest(name = "{1} .{0}")
  @CsvSource({"tim, cut", "tim, noise", "fdt, cut", "fdt, noise", "dvd, cut", "dvd, noise"})
  void aDayWithADamagedFileIsLeftOutAndNamed(String extension, String damage) throws Exception {
    long today = System.currentTimeMillis() * 1_000_000L / DAY * DAY;
    long damagedDay = today - 2 * DAY;
    long readableDay = today - DAY;
    try (LuceneLogStore store = new LuceneLogStore(dir, 16, new QueryLimits(64, 5000, 100, 16 << 20))) {
      List<LogEntry> records = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        records.add(entry(i, damagedDay + 1000L * i, "damaged day " + i));
        records.add(entry(10_000 + i, readableDay + 1000L * i, "readable day " + i));
      }
      store.write(records);
      store.commit();
      store.refresh();
      TimeRange both = new TimeRange(damagedDay, today);
      assertThat(search(store, both, "")).hasSize(100);

      LocalDate day = PartitionSet.dayOf(damagedDay);
      damage(dir.resolve(day.toString()), extension, damage);

      // reads that together reach each file of the day: a page of its own (sorted by time), the times
      // of its blocks (doc values), its records (stored fields); the first to meet the damage leaves it out
      TimeRange damagedOnly = new TimeRange(damagedDay, readableDay);
      assertThat(search(store, damagedOnly, "")).hasSizeLessThanOrEqualTo(100);
      histogram(store, both, "");
      assertThat(histogram(store, both, "day")).isEqualTo(5000);
      assertThat(store.unreadableDays(both)).containsExactly(day);

      assertThat(search(store, both, "")).hasSize(100).allMatch(body -> body.startsWith("readable day"));
      assertThat(search(store, damagedOnly, "")).isEmpty();
      assertThat(histogram(store, both, "")).isEqualTo(5000);
      assertThat(store.unreadableDayCount()).isEqualTo(1);
    }
  }

  private static LogEntry entry(long seq, long timeNanos, String body) {
    return new LogEntry(seq, timeNanos, timeNanos, 9, "INFO", body, new Owner("svc", "p", "", "", ""), "", "", "",
        Map.of("k", "v" + seq % 7), Map.of());
  }

  private static List<String> search(LuceneLogStore store, TimeRange range, String text) {
    return store.search(new LogSearch(new ProjectScope(Set.of("p")), range, text, Optional.empty(), 0, 100,
        Optional.empty())).records().stream().map(LogEntry::body).toList();
  }

  private static long histogram(LuceneLogStore store, TimeRange range, String text) {
    return store.histogram(new LogSearch(new ProjectScope(Set.of("p")), range, text, Optional.empty(), 0, 1,
        Optional.empty()), DAY).total();
  }

  /** Cuts each file of the extension to half, or writes noise over it past its header. */
  private static void damage(Path day, String extension, String how) throws Exception {
    List<Path> files;
    try (Stream<Path> listed = Files.list(day)) {
      files = listed.filter(f -> f.getFileName().toString().endsWith("." + extension)).toList();
    }
    assertThat(files).as("." + extension + " files in " + day).isNotEmpty();
    for (Path file : files) {
      long size = Files.size(file);
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        if (how.equals("cut")) {
          raf.setLength(size / 2);
        } else {
          byte[] noise = new byte[(int) (size - 96)];
          new Random(7).nextBytes(noise);
          raf.seek(48);
          raf.write(noise);
        }
      }
    }
  }
}
