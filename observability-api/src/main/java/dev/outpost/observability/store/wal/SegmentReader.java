package dev.outpost.observability.store.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads the frames of one closed journal segment in order, each checked by its checksum, and says
 * what it could not read. Damaged frames (their checksum failing) are passed over by their lengths
 * only when a whole frame of this segment follows them: one continuing its seqs, or one this build
 * cannot decode (a newer build's). The checksum does not cover the length, so a length with a
 * flipped bit lands inside the frame's payload (bytes a sender chose, where a frame may have been
 * crafted), and bytes left by a write that power loss cut are no frame. Otherwise the segment ends
 * there, a torn tail, and the bytes after it are left unread.
 */
final class SegmentReader implements Closeable {

  /**
   * Damaged frames in a row passed over at most: a damaged page or two holds a few dozen small
   * frames; more is a walk over lengths that are no lengths.
   */
  static final int MAX_DAMAGED_IN_A_ROW = 256;

  /**
   * What reading a segment found besides its frames.
   *
   * @param damaged frames passed over, their checksum failing, with whole frames after them
   * @param damagedBytes the bytes of those frames
   * @param unreadable whole frames this build cannot decode (a newer build's)
   * @param tornAt where a torn tail starts, or -1 when the segment was read to its end
   * @param unreadBytes the bytes from {@code tornAt} to the end of the file, left unread
   */
  record Read(int damaged, long damagedBytes, int unreadable, long tornAt, long unreadBytes) {

    /** How many frames, or stretches of bytes, were not read: each may be the only copy of acknowledged records. */
    int notRead() {
      return damaged + unreadable + (tornAt >= 0 ? 1 : 0);
    }
  }

  /** Damaged frames passed over in a row, and where the whole frame after them starts. */
  private record PassedOver(int frames, long to) {}

  /** A frame's place in the file and its body as read; whether its checksum matched. */
  private record Stored(long position, ByteBuffer body, boolean intact) {
    long end() {
      return position + FrameCodec.HEADER + body.limit();
    }
  }

  private final FileChannel channel;
  private final long segment;
  private final long size;

  SegmentReader(Path file, long segment) throws IOException {
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
    this.segment = segment;
    this.size = channel.size();
  }

  /** Hands every frame read to {@code sink}, in order. */
  Read readAll(Consumer<Frame> sink) throws IOException {
    int damaged = 0;
    long damagedBytes = 0;
    int unreadable = 0;
    long lastSeq = Journal.firstSeqOf(segment) - 1;
    long position = 0;
    // fewer bytes than a header are a write cut short, as ever: no frame fits there
    while (position + FrameCodec.HEADER <= size) {
      Stored stored = at(position);
      if (stored == null) {
        return new Read(damaged, damagedBytes, unreadable, position, size - position);
      }
      if (!stored.intact()) {
        PassedOver passed = damagedRunFrom(stored, lastSeq);
        if (passed == null) {
          return new Read(damaged, damagedBytes, unreadable, position, size - position);
        }
        damaged += passed.frames();
        damagedBytes += passed.to() - position;
        position = passed.to();
        continue;
      }
      Optional<Frame> frame = FrameCodec.decodeBody(stored.body());
      if (frame.isEmpty()) {
        unreadable++;
      } else if (!continues(frame.get(), lastSeq)) {
        // a whole frame out of this segment's order: one crafted in a payload that a damaged length
        // led to, not a frame this journal wrote
        return new Read(damaged, damagedBytes, unreadable, position, size - position);
      } else {
        sink.accept(frame.get());
        lastSeq = Math.max(lastSeq, frame.get().firstSeq() + frame.get().count() - 1);
      }
      position = stored.end();
    }
    return new Read(damaged, damagedBytes, unreadable, -1, 0);
  }

  /**
   * Walks by their lengths over {@code first} and the damaged frames right after it (each fitting the
   * file) to the whole frame that continues this segment; null when none does within {@link
   * #MAX_DAMAGED_IN_A_ROW}. A whole frame this build cannot decode continues it too: whole and
   * checksummed, it was written, and acknowledged, as those before it were.
   */
  private PassedOver damagedRunFrom(Stored first, long lastSeq) throws IOException {
    Stored damaged = first;
    for (int frames = 1; frames <= MAX_DAMAGED_IN_A_ROW; frames++) {
      Stored next = at(damaged.end());
      if (next == null) {
        return null;
      }
      if (next.intact()) {
        Optional<Frame> frame = FrameCodec.decodeBody(next.body());
        return frame.isEmpty() || continues(frame.get(), lastSeq) ? new PassedOver(frames, next.position()) : null;
      }
      damaged = next;
    }
    return null;
  }

  /** Whether {@code frame} is of this segment, with seqs after {@code lastSeq}, as the journal writes them. */
  private boolean continues(Frame frame, long lastSeq) {
    return Journal.segmentOf(frame.firstSeq()) == segment && frame.firstSeq() > lastSeq;
  }

  /** The frame whose header starts at {@code position}, or null when it or its body runs past the file. */
  private Stored at(long position) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(FrameCodec.HEADER);
    if (!readFully(header, position)) {
      return null;
    }
    int length = header.getInt(0);
    int crc = header.getInt(4);
    if (length <= 0 || position + FrameCodec.HEADER + length > size) {
      return null;
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    if (!readFully(body, position + FrameCodec.HEADER)) {
      return null;
    }
    body.flip();
    return new Stored(position, body, FrameCodec.checksumMatches(body, crc));
  }

  /** Fills {@code buffer} from {@code position}: one read may return less on some file systems. */
  private boolean readFully(ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
