package dev.outpost.observability.store.wal;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * A write-ahead log of acknowledged requests with group commit: appends write to the active
 * segment at once, and one syncer thread fsyncs for every append waiting, so many requests share
 * one fsync. A request may be acknowledged when its {@link Appended#durable()} completes.
 *
 * <p>Seqs are {@code segmentId << 40 | n}: unique, and the seqs of one segment form one range that
 * a replay can forget before writing them again. Segment ids only grow (the active segment is never
 * deleted), so seqs never repeat.
 *
 * <p>A segment whose write or fsync failed (a full disk writes part of a frame, then fails) takes
 * no more frames: the syncer closes it and opens the next. Appended after a torn frame, an
 * acknowledged frame would be lost, since a replay stops at the first frame it cannot read; and
 * after a failed fsync Linux may have dropped written pages that a later fsync no longer reports.
 * Appends fail (the client retries) until the next segment is open.
 */
public final class Journal implements Closeable {

  private static final Logger LOG = Logger.getLogger(Journal.class);
  private static final int SEQ_BITS = 40;
  /** Added to the name of a segment kept aside ({@link #keepAside}): it no longer ends in {@code .wal}. */
  private static final String KEPT_ASIDE = ".damaged";

  private final Path dir;
  private final SegmentOpener opener;
  private final List<Long> closedSegments;
  private final Object appendLock = new Object();
  private final Object syncLock = new Object();
  private final List<Waiter> waiting = new ArrayList<>();
  private final Thread syncer;
  private FileChannel active;
  private long activeId;
  private long nextInSegment;
  private long written;
  /** The active segment took a torn frame or failed an fsync: the syncer replaces it. */
  private boolean broken;
  /** Where the torn frame of the broken active segment starts, or -1: cut off as it is retired. */
  private long tornFrom = -1;
  /** Names a segment kept aside beside an earlier copy of it, the same for the whole run. */
  private final long openedAtMillis = System.currentTimeMillis();
  private volatile boolean closed;

  /** The seq of an append and when it is durable. */
  public record Appended(long firstSeq, CompletableFuture<Void> durable) {}

  private record Waiter(long segment, long position, CompletableFuture<Void> future) {}

  /** Creates a new segment file for writing: the disk, or in tests a disk that fails. */
  interface SegmentOpener {
    SegmentOpener DISK = file -> FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

    FileChannel create(Path file) throws IOException;
  }

  private Journal(Path dir, List<Long> existing, SegmentOpener opener) throws IOException {
    this.dir = dir;
    this.opener = opener;
    this.closedSegments = new ArrayList<>(existing);
    long max = existing.isEmpty() ? 0 : existing.get(existing.size() - 1);
    openSegment(max + 1);
    syncer = new Thread(this::syncLoop, "journal-sync");
    syncer.setDaemon(true);
    syncer.start();
  }

  /** Opens the journal in {@code dir}; segments left by a previous run stay for {@link #replay}. */
  public static Journal open(Path dir) throws IOException {
    return open(dir, SegmentOpener.DISK);
  }

  static Journal open(Path dir, SegmentOpener opener) throws IOException {
    Files.createDirectories(dir);
    List<Long> ids;
    try (Stream<Path> files = Files.list(dir)) {
      ids = files.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("segment-") && n.endsWith(".wal"))
          .map(n -> Long.parseLong(n.substring(8, n.length() - 4)))
          .sorted()
          .toList();
    }
    return new Journal(dir, ids, opener);
  }

  /** The journal's directory under a data directory. */
  public static Path directoryIn(Path dataDir) {
    return dataDir.resolve("journal");
  }

  /** Whether a file of the journal's directory is a segment kept aside ({@link #keepAside}), never replayed. */
  public static boolean isKeptAside(Path file) {
    return file.getFileName().toString().contains(".wal" + KEPT_ASIDE);
  }

  public static long segmentOf(long seq) {
    return seq >>> SEQ_BITS;
  }

  public static long firstSeqOf(long segment) {
    return segment << SEQ_BITS;
  }

  /** Ids of segments written by earlier runs or closed by {@link #rotate}, oldest first. */
  public List<Long> closedSegments() {
    synchronized (appendLock) {
      return List.copyOf(closedSegments);
    }
  }

  /**
   * Reads every frame of a closed segment in order ({@link SegmentReader}). A whole frame this build
   * cannot decode is skipped and counted at WARN. Damaged frames followed by a whole one of the
   * segment were acknowledged, as it was (bits flipped on disk): they are passed over and said at
   * ERROR. A replay that stops before the end of the file (a torn frame with no whole frame after
   * it: a write cut by a crash, never acknowledged, or damage it cannot pass over) says at WARN how
   * many bytes it left unread. Each names where the segment is kept ({@link #keepAside}).
   *
   * @return how many frames, or stretches of bytes, it could not read: when any, the segment holds
   *     the only copy of what they held, to be kept aside rather than deleted
   */
  public int replay(long segment, Consumer<Frame> sink) throws IOException {
    Path file = segmentPath(segment);
    SegmentReader.Read read;
    try (SegmentReader reader = new SegmentReader(file, segment)) {
      read = reader.readAll(sink);
    }
    String keptAs = read.notRead() > 0 ? keptAsidePath(segment).getFileName().toString() : "";
    if (read.tornAt() >= 0) {
      LOG.warnf("journal %s ends with a torn frame at byte %d, no whole frame of the segment after it; %d bytes left"
          + " unread: a write cut by a crash, never acknowledged, unless frames were damaged on disk. Once the frames"
          + " before it are stored the segment is kept as %s, never replayed again, for a look: the operator deletes"
          + " it", file, read.tornAt(), read.unreadBytes(), keptAs);
    }
    if (read.damaged() > 0) {
      LOG.errorf("journal %s holds %d damaged frame(s) (%d bytes) among whole ones: acknowledged, their records"
          + " are lost; the frames around them were read. Once those are stored the segment is kept as %s, never"
          + " replayed again, for a look (a flipped bit may be mended by hand): the operator deletes it", file,
          read.damaged(), read.damagedBytes(), keptAs);
    }
    if (read.unreadable() > 0) {
      // whole and checksummed, so acknowledged: a newer build's kind or layout (after a rollback)
      LOG.warnf("journal %s holds %d acknowledged frames this build cannot read (written by a newer one?);"
          + " their records are not stored. The segment is kept as %s for a newer build to replay (renamed back to"
          + " .wal); the operator deletes it", file, read.unreadable(), keptAs);
    }
    return read.notRead();
  }

  /**
   * Moves a closed segment whose replay could not read all of it to {@code <segment>.damaged}
   * instead of deleting it: it holds the only copy of what it could not read. Beside an earlier
   * copy of that name (one mended and copied back to {@code .wal}) it is {@code
   * <segment>.damaged-<millis>}. Never replayed again, and left for the operator to delete; call it
   * once the stores committed what the replay read. When it cannot be moved, it stays and is
   * replayed again at the next start.
   */
  public void keepAside(long segment) {
    synchronized (appendLock) {
      closedSegments.remove(Long.valueOf(segment));
    }
    Path aside = keptAsidePath(segment);
    try {
      Files.move(segmentPath(segment), aside);
    } catch (IOException e) {
      LOG.errorf("journal %s cannot be kept as %s (%s): it stays, and is replayed again at the next start",
          segmentPath(segment), aside.getFileName(), e.getMessage());
    }
  }

  /** Appends a request of {@code count} records; its seqs are assigned here. */
  public Appended append(Frame.Kind kind, int count, long receivedAtMillis, String boundProject,
      String boundIntegration, byte[] payload) {
    CompletableFuture<Void> durable = new CompletableFuture<>();
    long firstSeq;
    synchronized (appendLock) {
      if (closed) {
        throw new IllegalStateException("journal is closed");
      }
      if (broken) {
        throw new UncheckedIOException(new IOException("journal segment " + activeId + " failed; opening the next"));
      }
      firstSeq = firstSeqOf(activeId) | nextInSegment;
      nextInSegment += count;
      ByteBuffer frame = FrameCodec.encode(
          new Frame(kind, firstSeq, count, receivedAtMillis, boundProject, boundIntegration, payload));
      long start = written;
      try {
        while (frame.hasRemaining()) {
          written += active.write(frame);
        }
      } catch (IOException e) {
        broken = true;
        tornFrom = start;
        appendLock.notifyAll();
        throw new UncheckedIOException("journal write failed", e);
      }
      waiting.add(new Waiter(activeId, written, durable));
      appendLock.notifyAll();
    }
    return new Appended(firstSeq, durable);
  }

  /** Bytes written to the active segment. */
  public long activeSize() {
    synchronized (appendLock) {
      return written;
    }
  }

  /**
   * Closes the active segment (fsynced, its waiters completed) and starts a new one.
   *
   * @return the id of the segment just closed
   */
  public long rotate() throws IOException {
    synchronized (syncLock) {
      synchronized (appendLock) {
        if (broken) {
          long retired = activeId;
          replaceBroken();
          return retired;
        }
        try {
          active.force(false);
        } catch (IOException e) {
          // as when the syncer's fsync fails: a later fsync may not report the pages lost, so the
          // segment takes no more frames and its waiters are failed; the syncer replaces it
          completeUpTo(activeId, Long.MAX_VALUE, e);
          broken = true;
          appendLock.notifyAll();
          throw e;
        }
        completeUpTo(activeId, Long.MAX_VALUE, null);
        active.close();
        long closedId = activeId;
        closedSegments.add(closedId);
        openSegment(closedId + 1);
        return closedId;
      }
    }
  }

  /**
   * Retires the broken active segment and opens the next; caller holds both locks. Frames before
   * the failure are fsynced if they can be and their waiters told either way; the retired segment
   * is replayed up to its torn frame like any other. When the next segment cannot be opened, the
   * journal stays broken and this is tried again.
   */
  private void replaceBroken() throws IOException {
    if (active != null) {
      cutTornFrame();
      syncAndCompleteActive();
      try {
        active.close();
      } catch (IOException e) {
        LOG.debugf("closing broken journal segment %d: %s", activeId, e.getMessage());
      }
      closedSegments.add(activeId);
      active = null;
      LOG.warnf("journal segment %d failed; it is replayed up to its failure and appends go to the next", activeId);
    }
    openSegment(activeId + 1);
    broken = false;
  }

  /** Deletes closed segments up to and including {@code segment}: the stores have committed them. */
  public void deleteUpTo(long segment) throws IOException {
    List<Long> doomed;
    synchronized (appendLock) {
      doomed = closedSegments.stream().filter(id -> id <= segment).toList();
      closedSegments.removeAll(doomed);
    }
    for (long id : doomed) {
      Files.deleteIfExists(segmentPath(id));
    }
  }

  private void syncLoop() {
    while (true) {
      synchronized (appendLock) {
        while (waiting.isEmpty() && !closed && !broken) {
          try {
            appendLock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
      }
      // syncLock keeps rotate() from closing the channel under the fsync
      boolean retryLater = false;
      synchronized (syncLock) {
        FileChannel channel = null;
        long segment = 0;
        long position = 0;
        synchronized (appendLock) {
          if (closed) {
            return;
          }
          if (broken) {
            retryLater = !replacedBroken();
          } else {
            channel = active;
            segment = activeId;
            position = written;
          }
        }
        if (channel != null) {
          IOException failure = null;
          try {
            channel.force(false);
          } catch (IOException e) {
            failure = e;
          }
          synchronized (appendLock) {
            if (failure == null) {
              completeUpTo(segment, position, null);
            } else {
              // every frame of the segment, written before or after this fsync began, is in doubt
              completeUpTo(segment, Long.MAX_VALUE, failure);
              broken = true;
            }
          }
        }
      }
      if (retryLater) {
        // outside both locks: a checkpoint's rotate() and close() go ahead meanwhile
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /**
   * Cuts the torn frame (answered 503, never acknowledged) off the broken segment, so that its replay
   * reads it to its end and it is deleted as any other; caller holds both locks. When it cannot be
   * cut, the replay stops there and keeps the segment aside.
   */
  private void cutTornFrame() {
    if (tornFrom >= 0) {
      try {
        active.truncate(tornFrom);
      } catch (IOException e) {
        LOG.debugf("cutting the torn frame off journal segment %d: %s", activeId, e.getMessage());
      }
      tornFrom = -1;
    }
  }

  /** Replaces the broken segment; caller holds both locks. */
  private boolean replacedBroken() {
    try {
      replaceBroken();
      return true;
    } catch (IOException e) {
      LOG.errorf("cannot open a new journal segment (%s): ingest is refused until one opens", e.getMessage());
      return false;
    }
  }

  /** Fsyncs the active segment and tells all its waiters how that went; caller holds both locks. */
  private void syncAndCompleteActive() {
    IOException failure = null;
    try {
      active.force(false);
    } catch (IOException e) {
      failure = e;
    }
    completeUpTo(activeId, Long.MAX_VALUE, failure);
  }

  /** Completes waiters of {@code segment} up to {@code position}; caller holds appendLock. */
  private void completeUpTo(long segment, long position, IOException failure) {
    waiting.removeIf(w -> {
      if (w.segment() != segment || w.position() > position) {
        return false;
      }
      if (failure == null) {
        w.future().complete(null);
      } else {
        w.future().completeExceptionally(failure);
      }
      return true;
    });
  }

  private void openSegment(long id) throws IOException {
    Path file = segmentPath(id);
    FileChannel channel = opener.create(file);
    // make the new file's name durable too: a segment that vanished after a crash would lose acks
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      // not left behind: the next attempt creates the same name
      channel.close();
      Files.deleteIfExists(file);
      throw e;
    }
    active = channel;
    activeId = id;
    nextInSegment = 0;
    written = 0;
  }

  private Path segmentPath(long id) {
    return dir.resolve(String.format("segment-%012d.wal", id));
  }

  /**
   * Where a segment the replay could not read all of is kept: its name no longer ends in {@code
   * .wal}, so it is never replayed; beside an earlier copy, a name of this run's own.
   */
  private Path keptAsidePath(long id) {
    Path aside = segmentPath(id).resolveSibling(segmentPath(id).getFileName() + KEPT_ASIDE);
    return Files.exists(aside) ? aside.resolveSibling(aside.getFileName() + "-" + openedAtMillis) : aside;
  }

  @Override
  public void close() throws IOException {
    synchronized (syncLock) {
      synchronized (appendLock) {
        closed = true;
        if (active != null) {
          syncAndCompleteActive();
          active.close();
        }
        appendLock.notifyAll();
      }
    }
  }
}
