package dev.outpost.observability.store.lucene;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Retention by size, as Prometheus' {@code --storage.tsdb.retention.size}: while the stored days of
 * every signal (logs and traces, all projects) take more than the limit, the oldest day goes, of
 * every signal at once, oldest first. The current UTC day never goes, nor a later one (records
 * may be a day ahead): the newest telemetry is what a full disk must not cost.
 */
final class SizeRetention {

  private static final Logger LOG = Logger.getLogger(SizeRetention.class);

  private final long limitBytes;
  private final List<PartitionSet> signals;

  SizeRetention(long limitBytes, List<PartitionSet> signals) {
    this.limitBytes = limitBytes;
    this.signals = List.copyOf(signals);
  }

  /**
   * Deletes the oldest days until the others fit within the limit, or only the current day and
   * later ones are left; {@code why} says what asked for the check, for the log. Returns the days
   * deleted. A day that searches keep busy ({@link PartitionSet#dropBefore}) ends the pass: a newer
   * day is never deleted while an older one stays.
   */
  List<LocalDate> apply(LocalDate today, String why) throws IOException {
    SortedMap<LocalDate, Long> days = storedDays();
    long stored = days.values().stream().mapToLong(Long::longValue).sum();
    List<LocalDate> deleted = new ArrayList<>();
    for (Map.Entry<LocalDate, Long> day : days.entrySet()) {
      if (stored <= limitBytes) {
        return deleted;
      }
      if (!day.getKey().isBefore(today)) {
        LOG.warnf("retention: the current day and later ones take %d bytes, more than storage.retention-size (%d),"
            + " and are never deleted by size; ingest still stops at ingest.min-free-disk-bytes", stored, limitBytes);
        return deleted;
      }
      for (PartitionSet signal : signals) {
        signal.dropBefore(day.getKey().plusDays(1));
        if (signal.days().contains(day.getKey())) {
          return deleted; // kept busy by searches, said by dropBefore; the next check goes on
        }
      }
      LOG.infof("retention: deleted %s (%d bytes of logs and traces) by size: the stored days took %d bytes, more"
          + " than storage.retention-size (%d); checked %s", day.getKey(), day.getValue(), stored, limitBytes, why);
      stored -= day.getValue();
      deleted.add(day.getKey());
    }
    return deleted;
  }

  /** The bytes each day takes on disk, every signal's together. */
  SortedMap<LocalDate, Long> storedDays() throws IOException {
    SortedMap<LocalDate, Long> days = new TreeMap<>();
    for (PartitionSet signal : signals) {
      signal.dayBytes().forEach((day, bytes) -> days.merge(day, bytes, Long::sum));
    }
    return days;
  }
}
