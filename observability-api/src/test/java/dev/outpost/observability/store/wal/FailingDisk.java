package dev.outpost.observability.store.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real segment files on a disk that runs out of space once, as a full disk does: the write that
 * crosses {@code bytesLeft} writes what fits and the next write of it fails with ENOSPC's message;
 * and whose next fsync fails once when {@link #failNextFsync} is set. After the failure the disk
 * has room again (space was freed), so the journal's next segment works.
 */
final class FailingDisk implements Journal.SegmentOpener {

  private final AtomicLong bytesLeft;
  final AtomicBoolean failNextFsync = new AtomicBoolean();
  /** Fails the next fsync made on this thread alone (not the journal's syncer). */
  final java.util.concurrent.atomic.AtomicReference<Thread> failNextFsyncOn = new java.util.concurrent.atomic.AtomicReference<>();

  FailingDisk(long bytesLeft) {
    this.bytesLeft = new AtomicLong(bytesLeft);
  }

  @Override
  public FileChannel create(Path file) throws IOException {
    return new Channel(DISK.create(file));
  }

  private final class Channel extends FileChannel {
    private final FileChannel file;

    Channel(FileChannel file) {
      this.file = file;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      long left = bytesLeft.get();
      if (left == 0) {
        bytesLeft.set(Long.MAX_VALUE);
        throw new IOException("No space left on device");
      }
      if (src.remaining() <= left) {
        bytesLeft.addAndGet(-src.remaining());
        return file.write(src);
      }
      ByteBuffer fits = src.duplicate();
      fits.limit(fits.position() + (int) left);
      int written = file.write(fits);
      src.position(src.position() + written);
      bytesLeft.set(0);
      return written;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (failNextFsync.getAndSet(false) || failNextFsyncOn.compareAndSet(Thread.currentThread(), null)) {
        throw new IOException("Input/output error");
      }
      file.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return file.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return file.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new UnsupportedOperationException("the journal writes one buffer at a time");
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      file.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      return file.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      throw new UnsupportedOperationException("the journal appends");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return file.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
