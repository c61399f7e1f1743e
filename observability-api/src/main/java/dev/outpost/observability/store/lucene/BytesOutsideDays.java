package dev.outpost.observability.store.lucene;

import dev.outpost.observability.store.DirectorySize;
import dev.outpost.observability.store.wal.Journal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * What the data directory holds besides its days, which deleting a day cannot free: the journal (up
 * to a checkpoint; past it while checkpoints fail), the journal segments kept aside until the
 * operator deletes them, and other files (an earlier build's {@code logs/}, which the start only
 * warns about, and small files of this one).
 *
 * @param journal bytes of the journal's segments
 * @param keptAside bytes of the journal segments kept aside ({@link Journal#keepAside})
 * @param other the rest
 */
record BytesOutsideDays(long journal, long keptAside, long other) {

  /** Splits {@code outside}, the data directory's bytes less its days', by what they are. */
  static BytesOutsideDays in(Path dataDir, long outside) throws IOException {
    Path dir = Journal.directoryIn(dataDir);
    long journal = DirectorySize.of(dir, Predicate.not(Journal::isKeptAside));
    long keptAside = DirectorySize.of(dir, Journal::isKeptAside);
    return new BytesOutsideDays(journal, keptAside, Math.max(0, outside - journal - keptAside));
  }

  @Override
  public String toString() {
    return "journal " + journal + ", journal segments kept aside " + keptAside + ", other files " + other;
  }
}
