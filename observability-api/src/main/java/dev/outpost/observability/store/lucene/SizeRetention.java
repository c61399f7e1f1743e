package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.DirectorySize;
import dev.outpost.observability.store.DiskRoom;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Retention by size, as Prometheus' {@code --storage.tsdb.retention.size}: while the data directory
 * takes more than the limit, the oldest day goes, of every signal (logs and traces, all projects) at
 * once, oldest first. The whole directory counts, as the disk guard measures it and as Prometheus
 * counts its WAL: the journal (up to a checkpoint), the days moved aside, the rest; counting the days
 * alone, ingest refused while they were within the limit and nothing was deleted. The current UTC day
 * never goes, nor a later one (records may be a day ahead): the newest telemetry is what a full disk
 * must not cost. When what the directory holds besides its days alone takes more than the limit, no
 * deletion of a day can bring it within, and none is deleted: every day went, in vain. While the disk
 * guard refuses ingest below the limit on a volume smaller than the limit ({@link DiskRoom}), the
 * oldest day goes all the same, under the same rules (not when other files fill a volume that could
 * hold the limit: said, and nothing deleted for them): before, every sender was answered 503 until a day aged
 * out, the full disk the limit is there to prevent.
 */
final class SizeRetention {

  private static final Logger LOG = Logger.getLogger(SizeRetention.class);

  private final long limitBytes;
  private final Path dataDir;
  /** The room the disk guard at ingest weighs: while it refuses, the oldest day goes below the limit too. */
  private final DiskRoom room;
  private final List<PartitionSet> signals;
  /** The day it last said that the current day alone passes the limit: said once a day, not at each pass. */
  private LocalDate saidTooLargeOn;
  /** The day it last said that the bytes besides the days pass the limit, likewise. */
  private LocalDate saidOutsideOn;
  /** The day it last said that ingest refuses below the limit, likewise (the disk guard asks every 10 s). */
  private LocalDate saidAboveVolumeOn;
  /** The day it last said that other files fill a volume that could hold the limit, likewise. */
  private LocalDate saidOthersFillOn;

  SizeRetention(long limitBytes, DiskRoom room, List<PartitionSet> signals) {
    this.limitBytes = limitBytes;
    this.room = room;
    this.dataDir = room.dataDir();
    this.signals = List.copyOf(signals);
  }

  /**
   * Deletes the oldest days until the data directory fits within the limit, or only the current day
   * and later ones are left; {@code why} says what asked for the check, for the log. While ingest
   * refuses for a nearly full disk below the limit (the volume holds less than it), the oldest day
   * goes all the same, one a pass: the disk guard asks again while it refuses, and the disk read anew
   * then says whether another must go. Returns the days deleted, each once its directories are gone.
   * A day that searches keep busy, or whose directory cannot be deleted ({@link
   * PartitionSet#dropBefore}), ends the pass: a newer day is never deleted while an older one stays.
   */
  List<LocalDate> apply(LocalDate today, String why) throws IOException {
    SortedMap<LocalDate, Long> days = storedDays();
    long stored = DirectorySize.of(dataDir);
    long outside = Math.max(0, stored - days.values().stream().mapToLong(Long::longValue).sum());
    DiskRoom.Reading disk = room.read(stored);
    List<LocalDate> deleted = new ArrayList<>();
    if (stored > limitBytes && outside > limitBytes) {
      sayOutsideTooLarge(today, outside, "storage.retention-size (" + limitBytes + ")");
      return deleted;
    }
    // only where the volume itself cannot hold the limit: other files filling a shared one (a node's disk
    // behind an emptyDir, a local-path claim) are no reason to delete history
    boolean refusedBelowLimit = disk.refuses() && stored <= limitBytes;
    if (refusedBelowLimit && disk.capacityBytes() >= limitBytes) {
      sayOthersFillTheVolume(today, disk);
      return deleted;
    }
    if (refusedBelowLimit && outside > disk.usableBytes()) {
      // none below 0: a disk that other files fill leaves less than min-free-disk-bytes whatever goes
      sayOutsideTooLarge(today, outside, "the " + Math.max(0, disk.usableBytes()) + " bytes this volume lets the data"
          + " directory take before ingest refuses (" + disk.usableBytesWhy() + ")");
      return deleted;
    }
    if (refusedBelowLimit) {
      sayLimitAboveVolume(today, disk);
    }
    for (Map.Entry<LocalDate, Long> day : days.entrySet()) {
      if (stored <= limitBytes && !(refusedBelowLimit && deleted.isEmpty())) {
        return deleted;
      }
      if (!day.getKey().isBefore(today)) {
        break;
      }
      for (PartitionSet signal : signals) {
        signal.dropBefore(day.getKey().plusDays(1));
        if (signal.holds(day.getKey())) {
          return deleted; // kept busy by searches, or not deletable: said by dropBefore; the next pass goes on
        }
      }
      if (refusedBelowLimit) {
        LOG.infof("retention: deleted %s (%d bytes of logs and traces) by size: ingest refused new telemetry with the"
            + " data directory at %d bytes, below storage.retention-size (%d), as this volume lets it take %d; checked"
            + " %s", day.getKey(), day.getValue(), stored, limitBytes, disk.usableBytes(), why);
      } else {
        LOG.infof("retention: deleted %s (%d bytes of logs and traces) by size: the data directory took %d bytes, more"
            + " than storage.retention-size (%d); checked %s", day.getKey(), day.getValue(), stored, limitBytes, why);
      }
      stored -= day.getValue();
      deleted.add(day.getKey());
    }
    if (stored > limitBytes && !today.equals(saidTooLargeOn)) {
      saidTooLargeOn = today;
      LOG.warnf("retention: the data directory takes %d bytes with only the current day and later ones left (%d bytes"
          + " of them; besides the days %s), more than storage.retention-size (%d); those days are never deleted by"
          + " size, and ingest still stops at ingest.min-free-disk-bytes", stored, stored - outside,
          BytesOutsideDays.in(dataDir, outside), limitBytes);
    }
    return deleted;
  }

  /**
   * Says, once a day, that ingest refuses below the limit, with what the volume lets the data directory
   * take, so that the operator lowers the limit: a claim that stayed smaller when the size was raised
   * (no volume expansion), a restore into a smaller one.
   */
  private void sayLimitAboveVolume(LocalDate today, DiskRoom.Reading disk) {
    if (!today.equals(saidAboveVolumeOn)) {
      saidAboveVolumeOn = today;
      LOG.warnf("retention: storage.retention-size (%d) is more than this volume holds: the data directory can take"
          + " %d bytes on it (%s) before ingest refuses new telemetry (503); while it refuses, the oldest day but the"
          + " current one is deleted at each check, below the size. Lower storage.retention-size below %d, with room"
          + " for the journal and a retention interval's growth", limitBytes, disk.usableBytes(), disk.usableBytesWhy(),
          disk.usableBytes());
    }
  }

  /**
   * Says, once a day, that ingest refuses below the limit on a volume that could hold it: other files
   * take its room, and no day is deleted for them.
   */
  private void sayOthersFillTheVolume(LocalDate today, DiskRoom.Reading disk) {
    if (!today.equals(saidOthersFillOn)) {
      saidOthersFillOn = today;
      LOG.warnf("retention: ingest refuses new telemetry (%s) with the data directory at %d bytes, below"
          + " storage.retention-size (%d), on a volume of %d bytes that could hold it: other files take its room,"
          + " and no day is deleted for them. Free the volume, or give the data directory a volume of its own",
          disk.refusesWhy(), disk.dataBytes(), limitBytes, disk.totalBytes());
    }
  }

  /**
   * Says, once a day, that what no deletion of a day frees passes {@code bound} (the limit, or what the
   * volume lets the directory take while ingest refuses) by itself, and what it is.
   */
  private void sayOutsideTooLarge(LocalDate today, long outside, String bound) throws IOException {
    if (!today.equals(saidOutsideOn)) {
      saidOutsideOn = today;
      LOG.warnf("retention: the data directory holds %d bytes besides its days (%s), more than %s by themselves:"
          + " deleting days cannot bring it within, so no day is deleted by size. Delete what need not stay (a journal"
          + " segment kept aside once looked at, an earlier build's logs/ directory), or see why checkpoints fail if"
          + " it is the journal", outside, BytesOutsideDays.in(dataDir, outside), bound);
    }
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
