package dev.outpost.observability.store.lucene;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;

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

  /** Lucene's files of a segment ({@code _0.si}, {@code _0_Lucene912_0.tim} ...) and commit points. */
  private static final Pattern INDEX_FILE = Pattern.compile(IndexFileNames.CODEC_FILE_PATTERN.pattern()
      + "|" + IndexFileNames.SEGMENTS + "_[a-z0-9]+");

  private DamagedAtOpen() {}

  /** Why the day's files are damaged, or empty when {@code failure}, opening {@code day}, is not theirs. */
  static Optional<String> why(Directory day, Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
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

  /** The first of the day's files whose checksum fails, and why; empty when all pass or cannot be read. */
  private static Optional<String> failedChecksum(Directory day) {
    try {
      for (String name : day.listAll()) {
        if (!INDEX_FILE.matcher(name).matches()) {
          continue;
        }
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
