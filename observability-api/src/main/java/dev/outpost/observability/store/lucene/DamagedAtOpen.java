package dev.outpost.observability.store.lucene;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * Tells a day whose index failed to open because its files are damaged (a file cut short, bytes
 * written over, a file gone) from a failure that is not its files' and must still stop the start: a
 * lock another process holds (two replicas given one volume), {@code vm.max_map_count} reached, a
 * permission, a format a newer build wrote. Only the first kind may be moved aside: moving days aside
 * for the others would take every day out of queries. As for a day damaged after it opened ({@link
 * DamagedDays}), a failure alone proves nothing: unless Lucene calls the index corrupt or a file its
 * commit names is gone, the day counts as damaged only when one of its files fails its checksum.
 */
final class DamagedAtOpen {

  private DamagedAtOpen() {}

  /** Why the day's files are damaged, or empty when {@code failure}, opening {@code day}, is not theirs. */
  static Optional<String> why(Directory day, Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof LockObtainFailedException) {
        // another writer has the day open (two processes given one volume): its files may be half
        // written by a flush or a merge under way, and are not ours to judge
        return Optional.empty();
      }
      if (cause instanceof CorruptIndexException || cause instanceof IndexFormatTooOldException) {
        return Optional.of(cause.getMessage());
      }
      if (cause instanceof NoSuchFileException || cause instanceof FileNotFoundException) {
        return Optional.of("a file its commit names is gone: " + cause.getMessage());
      }
    }
    return failedChecksum(day).map(bad -> bad + " (opening it failed: " + failure + ")");
  }

  /**
   * Whether the day holds files of a segment: without a commit point ({@code segments_N}) naming
   * them, Lucene would open it as a new, empty index and delete them as abandoned.
   */
  static boolean holdsSegments(Directory day) throws IOException {
    for (String name : day.listAll()) {
      if (IndexFileNames.CODEC_FILE_PATTERN.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first of the files the day's last commit names whose checksum fails, and why; empty when all
   * pass or cannot be read. Only those: a file no commit names yet (a flush or merge a kill cut short,
   * a newer build's) has no footer and proves nothing. When the commit itself cannot be read, only
   * the commit point is checked.
   */
  private static Optional<String> failedChecksum(Directory day) {
    try {
      Collection<String> names;
      try {
        names = SegmentInfos.readLatestCommit(day).files(true);
      } catch (IOException | RuntimeException unreadableCommit) {
        String commit = SegmentInfos.getLastCommitSegmentsFileName(day.listAll());
        names = commit == null ? List.of() : List.of(commit);
      }
      for (String name : names) {
        try (IndexInput in = day.openInput(name, IOContext.READONCE)) {
          CodecUtil.checksumEntireFile(in);
        } catch (CorruptIndexException | EOFException damaged) {
          return Optional.of(name + " fails its checksum: " + damaged.getMessage());
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // what kept the day from opening keeps its files from being read: not shown to be damage
    }
    return Optional.empty();
  }
}
