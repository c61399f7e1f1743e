package dev.outpost.observability.store.lucene;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.MergeScheduler;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * One day of one signal: a Lucene index with its writer and near-real-time searcher.
 *
 * <p>The index is not sorted: searches sort newest first from the timestamp's doc values and skip
 * what cannot compete through its points. An index sort would make every refresh sort each posting
 * list of the new segment, and under full ingest that kept new records unsearchable for 1–2 s.
 */
final class Partition implements Closeable {

  final LocalDate day;
  final Path path;
  final IndexWriter writer;
  final SearcherManager searchers;
  /** The attribute keys the day indexes, bounded. */
  final AttributeKeys attributeKeys;
  private final Directory directory;
  /** Why searches leave this day out (its files failed their checksums), or null while it reads. */
  private volatile Throwable unreadable;

  /** Opens a day's directory: its files, or in tests files on a disk that fails. */
  interface Disk {
    Disk FILES = FSDirectory::open;

    Directory open(Path path) throws IOException;
  }

  Partition(LocalDate day, Path path, Analyzer analyzer, int ramBufferMb, Disk disk) throws IOException {
    this.day = day;
    this.path = path;
    this.directory = disk.open(path);
    IndexWriterConfig config = new IndexWriterConfig(analyzer)
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
        .setRAMBufferSizeMB(ramBufferMb)
        // a refresh publishes what was flushed at once; by default it waits up to 500 ms for
        // merges of the new small segments, which under load kept records unsearchable past 1 s
        .setMaxFullFlushMergeWaitMillis(0)
        // the thread that refreshes writes the segments out; indexing threads do not stop to help
        .setCheckPendingFlushUpdate(false)
        .setCommitOnClose(true)
        // segments stay as their separate files: packing each into a compound file copied every
        // flushed and most merged bytes once more (5% of the CPU under full ingest), and a
        // memory-mapped file holds no descriptor
        .setUseCompoundFile(false)
        // looked up by name, as a reader will: a codec missing from META-INF/services fails here,
        // at the first write, not at the next start with segments nobody can read
        .setCodec(StoreCodec.registered())
        .setMergePolicy(mergePolicy())
        .setMergeScheduler(mergeScheduler());
    IndexWriter opened = null;
    try {
      boolean committed = DirectoryReader.indexExists(directory);
      if (!committed && DamagedAtOpen.holdsSegments(directory)) {
        throw new CorruptIndexException("its commit point (segments_N) is gone, its segments' files are not: Lucene"
            + " would open it empty and delete them", path.toString());
      }
      opened = new IndexWriter(directory, config);
      if (!committed) {
        // a commit before any segment reaches the disk: a day killed before its first checkpoint
        // then holds a commit and files the journal replays, not segments no commit names
        opened.commit();
      }
      this.writer = opened;
      this.searchers = new SearcherManager(writer, null);
      this.attributeKeys = new AttributeKeys(path.getParent().getFileName() + "/" + day, writer.getFieldNames());
    } catch (IOException | RuntimeException e) {
      // a writer left open holds the day's write lock, which Lucene keeps by path for the whole
      // process: the day, moved aside, could not be opened again until a restart
      if (opened != null) {
        try {
          opened.rollback();
        } catch (IOException | RuntimeException closing) {
          e.addSuppressed(closing);
        }
      }
      directory.close();
      throw e;
    }
  }

  /**
   * The largest segment a merge writes (Lucene's default is 5 GiB). A merge needs that much free
   * disk beside what it merges until it commits, and one that runs out of it fails the day's writer
   * for good. Today's logs and traces merge apart, one merge at a time each ({@link
   * #mergeScheduler}), so two merges run at once (more in the minutes after midnight, while
   * yesterday's writers finish theirs, or when late records reach an older day); ingest stops at
   * {@code ingest.min-free-disk-bytes} (1.5 GiB), room for three, so a filling disk is met by a 503 at
   * ingest, not by a merge. A day larger than this keeps a few segments.
   */
  static final double MAX_MERGED_SEGMENT_MB = 512;

  /**
   * One merge thread per writer, whatever the cores: Lucene's default runs up to four at once per
   * writer on an eight-core node, each needing up to {@link #MAX_MERGED_SEGMENT_MB} of free disk
   * beside what it merges, past the headroom ingest keeps. Six merges may wait (Lucene's default
   * with one thread) before the refreshing thread waits for them.
   */
  static MergeScheduler mergeScheduler() {
    ConcurrentMergeScheduler scheduler = new ConcurrentMergeScheduler();
    scheduler.setMaxMergesAndThreads(6, 1);
    return scheduler;
  }

  /**
   * Lucene's tiered policy allowing twice its default segments per tier, and merging twice as many
   * at once: every refresh under full ingest writes a small segment, and merging took a sixth of the
   * CPU. With 20 per tier, ingest took about 2% less CPU per record in 3M-record benchmark runs;
   * term queries took as long as before, phrase queries (which read more blocks) up to 5% longer.
   * Merging 20 at once, not Lucene's 10, makes each tier twenty times the one below, so a record is
   * rewritten about once less over a day's partition: 17.5 and 16.6 us CPU per record in two
   * 10M-record runs, against 18.9 and 18.0, with queries and freshness as before.
   */
  private static MergePolicy mergePolicy() {
    TieredMergePolicy policy = new TieredMergePolicy().setSegmentsPerTier(20).setMaxMergeAtOnce(20)
        .setMaxMergedSegmentMB(MAX_MERGED_SEGMENT_MB);
    policy.setNoCFSRatio(0.0);
    return policy;
  }

  /**
   * Checks the checksums of every file of the day's searchable segments (reading them whole); the
   * failure when one fails, which for a file cut short under its memory map is the JVM's {@code
   * InternalError}; null when all pass.
   */
  Throwable checkIntegrity() {
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
          leaf.reader().checkIntegrity();
        }
      } finally {
        searchers.release(searcher);
      }
      return null;
    } catch (IOException | RuntimeException | InternalError | AssertionError damaged) {
      return damaged;
    }
  }

  /** Leaves the day out of searches from now on, for {@code why}; true the first time only. */
  synchronized boolean markUnreadable(Throwable why) {
    if (unreadable != null) {
      return false;
    }
    unreadable = why;
    return true;
  }

  /** Whether searches leave the day out ({@link #markUnreadable}). */
  boolean unreadable() {
    return unreadable != null;
  }

  /** Why the writer failed for good, or null while it works. */
  Throwable failure() {
    Throwable tragedy = writer.getTragicException();
    if (tragedy != null) {
      return tragedy;
    }
    return writer.isOpen() ? null : new IllegalStateException("the writer is closed");
  }

  @Override
  public void close() throws IOException {
    searchers.close();
    writer.close();
    directory.close();
  }

  /** Closes a day about to be deleted: nothing committed, merges aborted, so it takes no time. */
  void discard() throws IOException {
    searchers.close();
    writer.rollback();
    directory.close();
  }
}
