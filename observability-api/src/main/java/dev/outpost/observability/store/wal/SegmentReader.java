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
 * what it could not read. A frame whose checksum fails is passed over by its length only when a
 * whole frame follows it that continues this segment's seqs: the checksum does not cover the length,
 * so a length with a flipped bit lands inside the frame's payload (bytes a sender chose, where a frame
 * may have been crafted), and bytes left by a write that power loss cut are no frame. Otherwise the
 * segment ends there, a torn tail.
 */
final class SegmentReader implements Closeable {

  /**
   * What reading a segment found besides its frames.
   *
   * @param damaged frames passed over, their checksum failing, with whole frames after them
   * @param damagedBytes the bytes of those frames
   * @param unreadable whole frames this build cannot decode (a newer build's)
   * @param tornAt where a torn tail starts, or -1 when the segment was read to its end
   */
  record Read(int damaged, long damagedBytes, int unreadable, long tornAt) {}

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
    // fewer bytes than a header are a write cut short, as ever
    while (position + FrameCodec.HEADER <= size) {
      Stored stored = at(position);
      if (stored == null) {
        return new Read(damaged, damagedBytes, unreadable, position);
      }
      if (!stored.intact()) {
        if (!continuesAfter(stored.end(), lastSeq)) {
          return new Read(damaged, damagedBytes, unreadable, position);
        }
        damaged++;
        damagedBytes += stored.end() - position;
      } else {
        Optional<Frame> frame = FrameCodec.decodeBody(stored.body());
        if (frame.isPresent()) {
          sink.accept(frame.get());
          lastSeq = Math.max(lastSeq, frame.get().firstSeq() + frame.get().count() - 1);
        } else {
          unreadable++;
        }
      }
      position = stored.end();
    }
    return new Read(damaged, damagedBytes, unreadable, -1);
  }

  /** Whether a whole frame of this segment, with seqs after {@code lastSeq}, starts at {@code position}. */
  private boolean continuesAfter(long position, long lastSeq) throws IOException {
    Stored next = at(position);
    return next != null && next.intact() && FrameCodec.decodeBody(next.body())
        .filter(f -> Journal.segmentOf(f.firstSeq()) == segment && f.firstSeq() > lastSeq).isPresent();
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
